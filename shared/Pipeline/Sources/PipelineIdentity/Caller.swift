import PipelineContract

/// A request's verified caller: whose images it uploads and sees, and whether it sees everyone's.
public struct Caller: Sendable, Equatable {
    public var identity: Identity
    /// A member of ADMIN_GROUP: sees every owner's images and the dead letters.
    public var isAdmin: Bool
    /// How a caller proved who it is (AUTH_MODE's words).
    public enum Proof: String, Sendable {
        /// No sign-in: the one owner `local`.
        case none
        /// The load balancer's signed header.
        case alb
        /// A bearer token.
        case jwt
    }

    /// How the caller proved who it is.
    public var via: Proof

    public init(identity: Identity, isAdmin: Bool, via: Proof) {
        self.identity = identity
        self.isAdmin = isAdmin
        self.via = via
    }

    /// The owner of what the caller uploads.
    public var owner: String { identity.owner }

    /// The one caller of a pipeline without sign-in (AUTH_MODE=none): the owner `local`.
    public static let local = Caller(identity: Identity(owner: ImageOwner.local), isAdmin: false, via: .none)

    /// Whether the caller sees the dead-letter queues (every owner's failures): administrators,
    /// and the one user of a pipeline without sign-in, who runs it as a local tool.
    public var seesDeadLetters: Bool { isAdmin || via == .none }

    /// Whose images the caller may read: one owner's, or (nil) everyone's.
    public var readableOwner: String? { isAdmin ? nil : owner }

    /// Whether the caller may read an image of `owner`.
    public func mayRead(imagesOf owner: String) -> Bool { isAdmin || owner == self.owner }
}
