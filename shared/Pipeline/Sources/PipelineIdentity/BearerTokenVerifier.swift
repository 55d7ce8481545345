import Foundation
import JWTKit

/// `jwt` mode: `Authorization: Bearer` tokens of one issuer, for API clients. Verified with the
/// issuer's JWKS (RSA and EC keys only, so no HMAC key can ever be chosen; fetched at the first
/// token and again, at most once a minute, when a token names a key it does not hold): the
/// algorithm (RS256 or ES256; `none` and HMAC refused before anything else), the signature,
/// `iss`, the audience (`aud`, or an access token's `client_id`, as Cognito's have) and `exp`.
/// The owner is `sub`.
public actor BearerTokenVerifier {
    let issuer: String
    let audience: String
    let jwksURL: String
    let source: any PublicKeySource
    let now: @Sendable () -> Date
    let refreshInterval: TimeInterval
    private var keys = JWTKeyCollection()
    private var knownKIDs: Set<String> = []
    private var lastFetch: Date?

    static let algorithms: Set<String> = ["RS256", "ES256"]

    public init(
        issuer: String, audience: String, jwksURL: String, source: any PublicKeySource, refreshInterval: TimeInterval = 60,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.issuer = issuer
        self.audience = audience
        self.jwksURL = jwksURL
        self.source = source
        self.refreshInterval = refreshInterval
        self.now = now
    }

    /// The identity in an `Authorization` header's value (nil when the request has none).
    public func identity(fromAuthorization value: String?) async throws(IdentityError) -> Identity {
        guard let value, value.count > 7, value.prefix(7).lowercased() == "bearer " else { throw .missing("bearer token") }
        return try await identity(fromToken: String(value.dropFirst(7)).trimmingCharacters(in: .whitespaces))
    }

    /// The identity in a token of this issuer, verified as a bearer token is.
    public func identity(fromToken token: String) async throws(IdentityError) -> Identity {
        let parts = try TokenParts(token)
        guard let alg = parts.header.alg, Self.algorithms.contains(alg) else {
            throw .invalid("algorithm \(parts.header.alg ?? "none"); RS256 or ES256 only")
        }
        guard let kid = parts.header.kid else { throw .invalid("no kid") }
        if !knownKIDs.contains(kid) { try await refreshKeys() }
        guard knownKIDs.contains(kid) else { throw .invalid("key \(kid) is not in the issuer's JWKS") }
        let claims: Claims
        do {
            claims = try await keys.verify(token, as: Claims.self)
        } catch {
            throw .invalid("\(error)")
        }
        guard claims.iss == issuer else { throw .invalid("issuer \(claims.iss)") }
        let audiences = claims.aud?.value ?? []
        guard audiences.contains(audience) || (claims.aud == nil && claims.clientID == audience) else {
            throw .invalid("audience \(audiences.isEmpty ? claims.clientID ?? "none" : audiences.joined(separator: ","))")
        }
        do {
            try claims.exp.verifyNotExpired(currentDate: now())
        } catch {
            throw .invalid("expired")
        }
        guard !claims.sub.value.isEmpty else { throw .invalid("no sub") }
        return Identity(owner: claims.sub.value, email: claims.email, groups: claims.groups)
    }

    /// Reads the JWKS again (unless it was read less than `refreshInterval` ago), keeping its RSA
    /// and EC signing keys that name a kid and, if they name one, an accepted algorithm.
    private func refreshKeys() async throws(IdentityError) {
        if let lastFetch, now().timeIntervalSince(lastFetch) < refreshInterval { return }
        lastFetch = now()
        let text: String
        do {
            text = try await source.text(at: jwksURL)
        } catch {
            throw .keysUnavailable("JWKS at \(jwksURL): \(error)")
        }
        guard let document = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let all = document["keys"] as? [[String: Any]]
        else { throw .keysUnavailable("JWKS at \(jwksURL) is not a key set") }
        let usable = all.filter { key in
            guard let type = key["kty"] as? String, ["RSA", "EC"].contains(type), key["kid"] is String else { return false }
            if let use = key["use"] as? String, use != "sig" { return false }
            if let alg = key["alg"] as? String, !Self.algorithms.contains(alg) { return false }
            return true
        }
        let fresh = JWTKeyCollection()
        var kids: Set<String> = []
        for key in usable {
            guard let data = try? JSONSerialization.data(withJSONObject: key), let jwk = try? JSONDecoder().decode(JWK.self, from: data),
                let kid = key["kid"] as? String
            else { continue }
            if (try? await fresh.add(jwk: jwk)) != nil { kids.insert(kid) }
        }
        keys = fresh
        knownKIDs = kids
    }

    struct Claims: JWTPayload {
        let sub: SubjectClaim
        let iss: String
        /// ID tokens name their audience; Cognito's access tokens name the client instead.
        let aud: AudienceClaim?
        let clientID: String?
        let exp: ExpirationClaim
        let email: String?
        let groups: [String]

        enum CodingKeys: String, CodingKey { case sub, iss, aud, clientID = "client_id", exp, email, groups }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            sub = try container.decode(SubjectClaim.self, forKey: .sub)
            iss = try container.decode(String.self, forKey: .iss)
            aud = try container.decodeIfPresent(AudienceClaim.self, forKey: .aud)
            clientID = try container.decodeIfPresent(String.self, forKey: .clientID)
            exp = try container.decode(ExpirationClaim.self, forKey: .exp)
            email = try container.decodeIfPresent(String.self, forKey: .email)
            groups = try GroupsClaim.decode(from: decoder)
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(sub, forKey: .sub)
            try container.encode(iss, forKey: .iss)
            try container.encodeIfPresent(aud, forKey: .aud)
            try container.encodeIfPresent(clientID, forKey: .clientID)
            try container.encode(exp, forKey: .exp)
            try container.encodeIfPresent(email, forKey: .email)
            try container.encode(groups, forKey: .groups)
        }

        /// Claims are checked by the verifier against its configuration, after the signature.
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }
}
