/// Finds a request's caller in the modes a service is configured with (AUTH_MODE): the load
/// balancer's header, a bearer token, both, or neither (every caller is ``Caller/local``).
public struct Authenticator: Sendable {
    let loadBalancer: ALBIdentityVerifier?
    let bearer: BearerTokenVerifier?
    let adminGroup: String

    /// - Parameters:
    ///   - loadBalancer: `alb` mode's verifier, when on.
    ///   - bearer: `jwt` mode's verifier, when on.
    public init(loadBalancer: ALBIdentityVerifier?, bearer: BearerTokenVerifier?, adminGroup: String) {
        self.loadBalancer = loadBalancer
        self.bearer = bearer
        self.adminGroup = adminGroup
    }

    /// No sign-in: every request is ``Caller/local``.
    public static let none = Authenticator(loadBalancer: nil, bearer: nil, adminGroup: "admins")

    /// Whether bearer tokens are accepted (a 401 then says `WWW-Authenticate: Bearer`).
    public var acceptsBearerTokens: Bool { bearer != nil }

    /// The caller of a request with these headers. With both modes on, the load balancer's header
    /// is used when present (the load balancer signed the user in) and the bearer token otherwise;
    /// a header that is present but does not verify is refused, never passed over for the other.
    /// A mode that is off ignores its header: a client cannot choose a check the service does not make.
    ///
    /// - Parameter accessToken: the load balancer's `x-amzn-oidc-accesstoken`, the provider's access
    ///   token. Cognito puts a user's groups there and not in the user info the header carries; so,
    ///   when bearer tokens of the same issuer are accepted, the groups are taken from it, once it
    ///   verifies as that issuer's token of the same user (otherwise the caller has no groups).
    public func caller(loadBalancerHeader: String?, accessToken: String? = nil, authorization: String?) async throws(IdentityError) -> Caller {
        if let loadBalancer, let loadBalancerHeader, !loadBalancerHeader.isEmpty {
            var identity = try await loadBalancer.identity(fromHeader: loadBalancerHeader)
            if identity.groups.isEmpty, let bearer, let accessToken, !accessToken.isEmpty,
                let fromToken = try? await bearer.identity(fromToken: accessToken), fromToken.owner == identity.owner
            {
                identity.groups = fromToken.groups
            }
            return caller(identity, via: .alb)
        }
        if let bearer, let authorization, !authorization.isEmpty {
            return caller(try await bearer.identity(fromAuthorization: authorization), via: .jwt)
        }
        switch (loadBalancer, bearer) {
        case (nil, nil): return .local
        case (_?, nil): throw .missing("x-amzn-oidc-data header")
        case (nil, _?): throw .missing("bearer token")
        case (_?, _?): throw .missing("x-amzn-oidc-data header or bearer token")
        }
    }

    private func caller(_ identity: Identity, via: Caller.Proof) -> Caller {
        Caller(identity: identity, isAdmin: identity.isMember(of: adminGroup), via: via)
    }
}
