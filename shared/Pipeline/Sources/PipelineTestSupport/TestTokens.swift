import Foundation
import JWTKit
import PipelineIdentity

/// Keys the tests make for themselves, served by a fake key source (no network).
public struct FakeKeySource: PublicKeySource {
    public var texts: [String: String]

    public init(texts: [String: String]) {
        self.texts = texts
    }

    public struct NotFound: Error {}

    public func text(at url: String) async throws -> String {
        guard let text = texts[url] else { throw NotFound() }
        return text
    }
}

/// Tokens minted by the tests with keys of their own: ES256 as the load balancer and issuers sign,
/// HS256 as an attacker would.
public enum TestTokens {
    public static func base64URL(_ data: Data, padded: Bool) -> String {
        var text = data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        if !padded { while text.hasSuffix("=") { text.removeLast() } }
        return text
    }

    public static func json(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }

    /// A compact JWT signed with `key` as `alg` ES256 says, its parts padded as the load balancer
    /// pads them when `padded`.
    public static func es256(header: [String: Any], claims: [String: Any], key: ES256PrivateKey, padded: Bool) async throws -> String {
        let input = "\(base64URL(json(header), padded: padded)).\(base64URL(json(claims), padded: padded))"
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: "signing")
        let signature = try await keys.getKey(for: "signing", alg: "ES256").sign(Array(input.utf8))
        return "\(input).\(base64URL(Data(signature), padded: padded))"
    }

    /// A token whose signature part is an HMAC-SHA256 of its input with `secret` (the attack of
    /// using a public key as an HMAC secret).
    public static func hs256(header: [String: Any], claims: [String: Any], secret: String) async throws -> String {
        let input = "\(base64URL(json(header), padded: false)).\(base64URL(json(claims), padded: false))"
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, kid: "hmac")
        let signature = try await keys.getKey(for: "hmac", alg: "HS256").sign(Array(input.utf8))
        return "\(input).\(base64URL(Data(signature), padded: false))"
    }

    /// The public part of `key` as a JWK (EC, P-256).
    public static func jwk(_ key: ES256PrivateKey, kid: String) -> [String: Any] {
        let parameters = key.publicKey.parameters
        return ["kty": "EC", "crv": "P-256", "x": parameters?.x ?? "", "y": parameters?.y ?? "", "kid": kid, "alg": "ES256", "use": "sig"]
    }
}

/// A load balancer of the tests' own: its key, its ARN, its key URL served by a ``FakeKeySource``,
/// and the `x-amzn-oidc-data` header it would send for a user.
public struct TestLoadBalancer: Sendable {
    public static let arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/images/50dc6c495c0c9188"
    public static let keyURL = "https://public-keys.auth.elb.eu-west-1.amazonaws.com"
    public static let kid = "7f3e2b4c-0d1a-4c5e-9f8a-1b2c3d4e5f60"
    public let key = ES256PrivateKey()

    public init() {}

    /// Serves this load balancer's public key where the verifier looks for it.
    public var keys: FakeKeySource {
        FakeKeySource(texts: ["\(Self.keyURL)/\(Self.kid)": key.publicKey.pemRepresentation])
    }

    /// An authenticator in `alb` mode that trusts this load balancer.
    public func authenticator(adminGroup: String = "admins") -> Authenticator {
        Authenticator(
            loadBalancer: ALBIdentityVerifier(albARN: Self.arn, publicKeyURL: Self.keyURL, source: keys), bearer: nil, adminGroup: adminGroup
        )
    }

    /// The header value for `owner`, valid for ten minutes, padded as the load balancer pads it.
    public func header(owner: String, groups: [String] = [], signedBy key: ES256PrivateKey? = nil) async throws -> String {
        let exp = Date().timeIntervalSince1970 + 600
        let header: [String: Any] = ["alg": "ES256", "kid": Self.kid, "signer": Self.arn, "iss": "https://idp.example", "client": "app", "exp": exp]
        var claims: [String: Any] = ["sub": owner, "email": "\(owner)@example.com", "exp": exp, "iss": "https://idp.example"]
        if !groups.isEmpty { claims["cognito:groups"] = groups }
        return try await TestTokens.es256(header: header, claims: claims, key: key ?? self.key, padded: true)
    }
}
