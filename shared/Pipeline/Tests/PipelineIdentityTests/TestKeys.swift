import Foundation
import JWTKit
import PipelineIdentity

/// Keys the tests make for themselves, served by a fake key source.
struct FakeKeySource: PublicKeySource {
    var texts: [String: String]

    struct NotFound: Error {}

    func text(at url: String) async throws -> String {
        guard let text = texts[url] else { throw NotFound() }
        return text
    }
}

enum TestTokens {
    static func base64URL(_ data: Data, padded: Bool) -> String {
        var text = data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        if !padded { while text.hasSuffix("=") { text.removeLast() } }
        return text
    }

    static func json(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }

    /// A compact JWT signed with `key` as `alg` ES256 says, its parts padded as the load balancer
    /// pads them when `padded`.
    static func es256(header: [String: Any], claims: [String: Any], key: ES256PrivateKey, padded: Bool) async throws -> String {
        let input = "\(base64URL(json(header), padded: padded)).\(base64URL(json(claims), padded: padded))"
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: "signing")
        let signature = try await keys.getKey(for: "signing", alg: "ES256").sign(Array(input.utf8))
        return "\(input).\(base64URL(Data(signature), padded: padded))"
    }

    /// A token whose signature part is an HMAC-SHA256 of its input with `secret` (the attack of
    /// using a public key as an HMAC secret).
    static func hs256(header: [String: Any], claims: [String: Any], secret: String) async throws -> String {
        let input = "\(base64URL(json(header), padded: false)).\(base64URL(json(claims), padded: false))"
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, kid: "hmac")
        let signature = try await keys.getKey(for: "hmac", alg: "HS256").sign(Array(input.utf8))
        return "\(input).\(base64URL(Data(signature), padded: false))"
    }

    /// The public part of `key` as a JWK (EC, P-256).
    static func jwk(_ key: ES256PrivateKey, kid: String) -> [String: Any] {
        let parameters = key.publicKey.parameters
        return ["kty": "EC", "crv": "P-256", "x": parameters?.x ?? "", "y": parameters?.y ?? "", "kid": kid, "alg": "ES256", "use": "sig"]
    }
}
