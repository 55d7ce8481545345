import Foundation
import JWTKit
import PipelineIdentity
import PipelineTestSupport
import Synchronization
import Testing

@Suite struct BearerTokenVerifierTests {
    static let issuer = "https://issuer.example"
    static let jwksURL = "https://issuer.example/.well-known/jwks.json"
    let key = ES256PrivateKey()
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func verifier(jwks: [[String: Any]]? = nil) -> BearerTokenVerifier {
        let set = jwks ?? [TestTokens.jwk(key, kid: "k1"), ["kty": "oct", "kid": "shared", "k": "YSBzaGFyZWQgc2VjcmV0IG9mIHRoaXJ0eS10d28gYnl0ZXMgb3IgbW9yZQ"]]
        let text = String(decoding: TestTokens.json(["keys": set]), as: UTF8.self)
        let time = now
        return BearerTokenVerifier(
            issuer: Self.issuer, audience: "images-api", jwksURL: Self.jwksURL, source: FakeKeySource(texts: [Self.jwksURL: text]), now: { time }
        )
    }

    func claims(iss: String = issuer, aud: String = "images-api", exp: Double = 1_800_000_300, groups: [String]? = nil) -> [String: Any] {
        var claims: [String: Any] = ["sub": "client-b", "iss": iss, "aud": aud, "exp": exp]
        claims["cognito:groups"] = groups
        return claims
    }

    func token(_ claims: [String: Any], kid: String = "k1", key signing: ES256PrivateKey? = nil) async throws -> String {
        try await TestTokens.es256(header: ["alg": "ES256", "typ": "JWT", "kid": kid], claims: claims, key: signing ?? key, padded: false)
    }

    @Test func aTokenOfTheIssuerGivesItsSubjectAndGroups() async throws {
        let identity = try await verifier().identity(fromAuthorization: "Bearer \(try await token(claims(groups: ["admins"])))")
        #expect(identity == Identity(owner: "client-b", groups: ["admins"]))
        #expect(identity.isMember(of: "admins"))
    }

    @Test func noTokenIsMissing() async {
        await #expect(throws: IdentityError.missing("bearer token")) { try await verifier().identity(fromAuthorization: nil) }
        await #expect(throws: IdentityError.missing("bearer token")) { try await verifier().identity(fromAuthorization: "Basic dXNlcjpwYXNz") }
    }

    @Test func wrongIssuerAudienceOrTimeAreRefused() async throws {
        for bad in [claims(iss: "https://other.example"), claims(aud: "another-api"), claims(exp: 1_799_000_000)] {
            let value = "Bearer \(try await token(bad))"
            await #expect(throws: IdentityError.self) { try await verifier().identity(fromAuthorization: value) }
        }
    }

    @Test func aForgedSignatureOrAnUnknownKeyIsRefused() async throws {
        let forged = "Bearer \(try await token(claims(), key: ES256PrivateKey()))"
        await #expect(throws: IdentityError.self) { try await verifier().identity(fromAuthorization: forged) }
        let unknown = "Bearer \(try await token(claims(), kid: "k9"))"
        await #expect(throws: IdentityError.invalid("key k9 is not in the issuer's JWKS")) { try await verifier().identity(fromAuthorization: unknown) }
    }

    @Test func hmacWithAKeyOfTheSetAndAlgNoneAreRefused() async throws {
        let hmac = try await TestTokens.hs256(header: ["alg": "HS256", "kid": "shared"], claims: claims(), secret: "a shared secret of thirty-two bytes or more")
        await #expect(throws: IdentityError.invalid("algorithm HS256; RS256 or ES256 only")) { try await verifier().identity(fromAuthorization: "Bearer \(hmac)") }
        let none = "\(TestTokens.base64URL(TestTokens.json(["alg": "none", "kid": "k1"]), padded: false)).\(TestTokens.base64URL(TestTokens.json(claims()), padded: false))."
        await #expect(throws: IdentityError.invalid("algorithm none; RS256 or ES256 only")) { try await verifier().identity(fromAuthorization: "Bearer \(none)") }
    }

    @Test func anUnknownKeyReadsTheSetAgainAtMostOnceAMinute() async throws {
        let reads = ReadCounter()
        let text = String(decoding: TestTokens.json(["keys": [TestTokens.jwk(key, kid: "k1")]]), as: UTF8.self)
        let clock = TestTime(Date(timeIntervalSince1970: 1_800_000_000))
        let verifier = BearerTokenVerifier(
            issuer: Self.issuer, audience: "images-api", jwksURL: Self.jwksURL,
            source: CountingKeySource(inner: FakeKeySource(texts: [Self.jwksURL: text]), reads: reads), now: { clock.now }
        )
        _ = try await verifier.identity(fromAuthorization: "Bearer \(try await token(claims()))")
        #expect(await reads.count == 1)
        let unknown = "Bearer \(try await token(claims(), kid: "k9"))"
        for _ in 0..<3 { await #expect(throws: IdentityError.self) { try await verifier.identity(fromAuthorization: unknown) } }
        #expect(await reads.count == 1, "tokens naming keys it lacks do not make it read the set at their pace")
        clock.now += 61
        await #expect(throws: IdentityError.self) { try await verifier.identity(fromAuthorization: unknown) }
        #expect(await reads.count == 2)
    }
}

actor ReadCounter {
    var count = 0
    func add() { count += 1 }
}

struct CountingKeySource: PublicKeySource {
    let inner: FakeKeySource
    let reads: ReadCounter

    func text(at url: String) async throws -> String {
        await reads.add()
        return try await inner.text(at: url)
    }
}

/// A wall clock the test moves by hand.
final class TestTime: Sendable {
    private let value: Mutex<Date>
    init(_ start: Date) { value = Mutex(start) }
    var now: Date {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
