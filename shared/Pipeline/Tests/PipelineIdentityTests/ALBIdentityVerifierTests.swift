import Foundation
import JWTKit
import PipelineIdentity
import PipelineTestSupport
import Testing

@Suite struct ALBIdentityVerifierTests {
    static let arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/images/50dc6c495c0c9188"
    static let keyURL = "https://public-keys.auth.elb.eu-west-1.amazonaws.com"
    let key = ES256PrivateKey()
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func verifier(serving served: ES256PrivateKey? = nil) -> ALBIdentityVerifier {
        let pem = (served ?? key).publicKey.pemRepresentation
        let time = now
        return ALBIdentityVerifier(
            albARN: Self.arn, publicKeyURL: Self.keyURL, source: FakeKeySource(texts: ["\(Self.keyURL)/kid-1": pem]), now: { time }
        )
    }

    func header(alg: String = "ES256", signer: String = arn, kid: String = "kid-1") -> [String: Any] {
        ["alg": alg, "kid": kid, "signer": signer, "iss": "https://cognito-idp.eu-west-1.amazonaws.com/pool", "client": "app", "exp": 1_800_000_120]
    }

    func claims(exp: Double = 1_800_000_120) -> [String: Any] {
        ["sub": "user-a", "email": "a@example.com", "exp": exp, "iss": "https://cognito-idp.eu-west-1.amazonaws.com/pool"]
    }

    @Test func aPaddedTokenOfThisLoadBalancerGivesItsSubject() async throws {
        let token = try await TestTokens.es256(header: header(), claims: claims(), key: key, padded: true)
        #expect(token.contains("="), "the load balancer's quirk is exercised")
        let identity = try await verifier().identity(fromHeader: token)
        #expect(identity == Identity(owner: "user-a", email: "a@example.com"))
        let unpadded = try await TestTokens.es256(header: header(), claims: claims(), key: key, padded: false)
        #expect(try await verifier().identity(fromHeader: unpadded).owner == "user-a")
    }

    @Test func noHeaderIsMissing() async {
        await #expect(throws: IdentityError.missing("x-amzn-oidc-data header")) { try await verifier().identity(fromHeader: nil) }
    }

    @Test func aSignatureByAnotherKeyIsRefused() async throws {
        let forged = try await TestTokens.es256(header: header(), claims: claims(), key: ES256PrivateKey(), padded: true)
        await #expect(throws: IdentityError.invalid("signature does not verify")) { try await verifier().identity(fromHeader: forged) }
    }

    @Test func anotherLoadBalancersTokenIsRefused() async throws {
        let other = try await TestTokens.es256(header: header(signer: "arn:aws:elasticloadbalancing:eu-west-1:999:loadbalancer/app/x/1"), claims: claims(), key: key, padded: true)
        await #expect(throws: IdentityError.self) { try await verifier().identity(fromHeader: other) }
    }

    @Test func anExpiredTokenIsRefused() async throws {
        let expired = try await TestTokens.es256(header: header(), claims: claims(exp: 1_799_999_000), key: key, padded: true)
        await #expect(throws: IdentityError.invalid("expired")) { try await verifier().identity(fromHeader: expired) }
    }

    @Test func algNoneAndHMACAreRefusedBeforeAnyKey() async throws {
        let input = "\(TestTokens.base64URL(TestTokens.json(header(alg: "none")), padded: false)).\(TestTokens.base64URL(TestTokens.json(claims()), padded: false))"
        await #expect(throws: IdentityError.self) { try await verifier().identity(fromHeader: "\(input).") }
        let hmac = try await TestTokens.hs256(header: header(alg: "HS256"), claims: claims(), secret: key.publicKey.pemRepresentation)
        await #expect(throws: IdentityError.self) { try await verifier().identity(fromHeader: hmac) }
    }

    @Test func aKeyThatCannotBeFoundIsRefused() async throws {
        let token = try await TestTokens.es256(header: header(kid: "kid-2"), claims: claims(), key: key, padded: true)
        await #expect(throws: IdentityError.self) { try await verifier().identity(fromHeader: token) }
        let pathy = try await TestTokens.es256(header: header(kid: "../kid-1"), claims: claims(), key: key, padded: true)
        await #expect(throws: IdentityError.invalid("no usable kid")) { try await verifier().identity(fromHeader: pathy) }
    }

    @Test func aKeyNotFoundIsNotAskedForAgainForAMinute() async throws {
        let reads = ReadCounter()
        let clock = TestTime(now)
        let pem = key.publicKey.pemRepresentation
        let verifier = ALBIdentityVerifier(
            albARN: Self.arn, publicKeyURL: Self.keyURL,
            source: CountingKeySource(inner: FakeKeySource(texts: ["\(Self.keyURL)/kid-1": pem]), reads: reads), now: { clock.now }
        )
        let unknown = try await TestTokens.es256(header: header(kid: "kid-404"), claims: claims(), key: key, padded: true)
        for _ in 0..<5 { await #expect(throws: IdentityError.self) { try await verifier.identity(fromHeader: unknown) } }
        #expect(await reads.count == 1, "forged kids do not make every request fetch")
        let known = try await TestTokens.es256(header: header(), claims: claims(), key: key, padded: true)
        for _ in 0..<3 { _ = try await verifier.identity(fromHeader: known) }
        #expect(await reads.count == 2, "a found key is fetched once and kept")
        clock.now += 61
        await #expect(throws: IdentityError.self) { try await verifier.identity(fromHeader: unknown) }
        #expect(await reads.count == 3)
    }
}
