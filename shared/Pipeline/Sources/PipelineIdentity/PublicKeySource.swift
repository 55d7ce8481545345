/// Where verification keys come from: the text at a URL (a PEM key of the load balancer, an
/// issuer's JWKS). The services fetch over HTTPS; tests hand keys of their own.
public protocol PublicKeySource: Sendable {
    /// The body at `url`; throws when it cannot be had (not found included).
    func text(at url: String) async throws -> String
}
