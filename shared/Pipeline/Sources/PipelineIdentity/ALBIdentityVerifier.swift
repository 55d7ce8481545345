import Foundation
import JWTKit

/// `alb` mode: the identity in `x-amzn-oidc-data`, the ES256 JWT an AWS Application Load Balancer
/// adds after it has signed the user in. Verified: the signature, with the public key of the token's
/// `kid` (PEM at `{publicKeyURL}/{kid}`, fetched once and kept); `signer`, which must be this load
/// balancer's ARN (another load balancer's tokens are refused); `exp`. The owner is `sub`.
///
/// The load balancer pads its base64url with `=`, which jwt-kit's parser refuses, and its
/// signature covers the padded text; so the parts are read here and the signature is checked with
/// jwt-kit's ES256 algorithm over the token's own `header.payload`.
public actor ALBIdentityVerifier {
    let albARN: String
    let publicKeyURL: String
    let source: any PublicKeySource
    let now: @Sendable () -> Date
    /// One key per `kid` ever seen; the load balancer's keys do not change under a `kid`.
    private let keys = JWTKeyCollection()
    private var knownKIDs: Set<String> = []
    /// When the key of a `kid` was last not found: tokens naming it are refused for a minute
    /// without asking the key URL again, so forged kids cannot make every request fetch.
    private var missingKIDs: [String: Date] = [:]
    static let missingKeyPause: TimeInterval = 60

    public init(albARN: String, publicKeyURL: String, source: any PublicKeySource, now: @escaping @Sendable () -> Date = { Date() }) {
        self.albARN = albARN
        self.publicKeyURL = publicKeyURL.hasSuffix("/") ? String(publicKeyURL.dropLast()) : publicKeyURL
        self.source = source
        self.now = now
    }

    /// The identity in the header's value (nil when the request has none).
    public func identity(fromHeader value: String?) async throws(IdentityError) -> Identity {
        guard let value, !value.isEmpty else { throw .missing("x-amzn-oidc-data header") }
        let parts = try TokenParts(value)
        guard parts.header.alg == "ES256" else { throw .invalid("algorithm \(parts.header.alg ?? "none"); the load balancer signs with ES256") }
        guard parts.header.signer == albARN else { throw .invalid("signed by \(parts.header.signer ?? "no signer"), not this load balancer") }
        guard let kid = parts.header.kid, Self.isPlainKID(kid) else { throw .invalid("no usable kid") }
        let algorithm = try await algorithm(for: kid)
        let valid: Bool
        do {
            valid = try algorithm.verify(parts.signature, signs: Array(parts.signingInput.utf8))
        } catch {
            throw .invalid("signature: \(error)")
        }
        guard valid else { throw .invalid("signature does not verify") }
        let claims: Claims
        do {
            claims = try JSONDecoder().decode(Claims.self, from: parts.payload)
        } catch {
            throw .invalid("unreadable claims")
        }
        do {
            try ExpirationClaim(value: Date(timeIntervalSince1970: claims.exp)).verifyNotExpired(currentDate: now())
        } catch {
            throw .invalid("expired")
        }
        guard !claims.sub.isEmpty else { throw .invalid("no sub") }
        return Identity(owner: claims.sub, email: claims.email, groups: claims.groups)
    }

    private func algorithm(for kid: String) async throws(IdentityError) -> any JWTAlgorithm {
        let identifier = JWKIdentifier(string: kid)
        if !knownKIDs.contains(kid) {
            if let missed = missingKIDs[kid], now().timeIntervalSince(missed) < Self.missingKeyPause {
                throw .keysUnavailable("no key \(kid) at \(publicKeyURL) (asked less than a minute ago)")
            }
            let pem: String
            do {
                pem = try await source.text(at: "\(publicKeyURL)/\(kid)")
            } catch {
                if missingKIDs.count >= 1024 { missingKIDs.removeAll() }  // bounded, whatever is sent
                missingKIDs[kid] = now()
                throw .keysUnavailable("no key \(kid) at \(publicKeyURL): \(error)")
            }
            let key: ES256PublicKey
            do {
                key = try ES256PublicKey(pem: pem)
            } catch {
                throw .invalid("key \(kid) is not an ES256 public key")
            }
            await keys.add(ecdsa: key, kid: identifier)
            knownKIDs.insert(kid)
        }
        do {
            return try await keys.getKey(for: identifier, alg: "ES256")
        } catch {
            throw .invalid("key \(kid): \(error)")
        }
    }

    /// A `kid` goes into a URL path: letters, digits and dashes only (the load balancer's are UUIDs).
    static func isPlainKID(_ kid: String) -> Bool {
        !kid.isEmpty && kid.count <= 128 && kid.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }

    struct Claims: Decodable {
        let sub: String
        let exp: Double
        let email: String?
        let groups: [String]

        enum CodingKeys: String, CodingKey { case sub, exp, email }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            sub = try container.decode(String.self, forKey: .sub)
            exp = try container.decode(Double.self, forKey: .exp)
            email = try container.decodeIfPresent(String.self, forKey: .email)
            groups = try GroupsClaim.decode(from: decoder)
        }
    }
}
