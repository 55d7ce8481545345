import Hummingbird
import NIOCore
import PipelineIdentity

/// The request context of the pipeline's services.
///
/// Routes that take large bodies (the upload) stream them and count against their own limit
/// (MAX_UPLOAD_BYTES); everything else reads small JSON at most, so the 2 MiB default cap of
/// `collect(upTo:)` stays as Hummingbird sets it.
public struct ServiceRequestContext: CallerContext {
    public var coreContext: CoreRequestContextStorage
    /// What the route adds to its request's log line (``RequestLogMiddleware``).
    public let logFields = RequestLogFields()
    /// Who is asking (``IdentityMiddleware``); nil on routes that need no identity.
    public var caller: Caller?
    /// The connection's peer (a proxy's address behind the load balancer).
    public let peerAddress: String?
    /// The request's connection, which a long response closes when its client stops reading.
    public let connection: any Channel

    public init(source: Source) {
        coreContext = .init(source: source)
        connection = source.channel
        peerAddress = source.channel.remoteAddress?.ipAddress
    }
}
