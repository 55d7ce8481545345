/// Who a request comes from, once verified: the owner its images belong to, and its groups.
public struct Identity: Sendable, Equatable {
    /// The owner of what this caller uploads and sees: the token's `sub`.
    public var owner: String
    public var email: String?
    /// Groups the identity provider puts the caller in (`cognito:groups` or `groups`).
    public var groups: [String]

    public init(owner: String, email: String? = nil, groups: [String] = []) {
        self.owner = owner
        self.email = email
        self.groups = groups
    }

    /// Whether the caller is in `group` (the administrators' group sees every owner's images).
    public func isMember(of group: String) -> Bool { groups.contains(group) }
}
