import Foundation
import JWTKit
import PipelineIdentity
import PipelineTestSupport
import Testing

/// AUTH_MODE's modes together: which header counts, administrators, and `none`.
@Suite struct AuthenticatorTests {
    static let issuer = "https://issuer.example/pool"
    static let jwksURL = "https://issuer.example/pool/.well-known/jwks.json"
    let loadBalancer = TestLoadBalancer()
    let issuerKey = ES256PrivateKey()

    /// `alb,jwt`: this test's load balancer and issuer.
    func both() -> Authenticator {
        let jwks = String(decoding: TestTokens.json(["keys": [TestTokens.jwk(issuerKey, kid: "k1")]]), as: UTF8.self)
        var keys = loadBalancer.keys
        keys.texts[Self.jwksURL] = jwks
        return Authenticator(
            loadBalancer: ALBIdentityVerifier(albARN: TestLoadBalancer.arn, publicKeyURL: TestLoadBalancer.keyURL, source: keys),
            bearer: BearerTokenVerifier(issuer: Self.issuer, audience: "images-api", jwksURL: Self.jwksURL, source: keys),
            adminGroup: "admins"
        )
    }

    func bearer(_ owner: String, groups: [String] = []) async throws -> String {
        var claims: [String: Any] = ["sub": owner, "iss": Self.issuer, "aud": "images-api", "exp": Date().timeIntervalSince1970 + 600]
        if !groups.isEmpty { claims["groups"] = groups }
        return "Bearer " + (try await TestTokens.es256(header: ["alg": "ES256", "kid": "k1", "typ": "JWT"], claims: claims, key: issuerKey, padded: false))
    }

    @Test func noneMakesEveryCallerTheLocalOwner() async throws {
        let caller = try await Authenticator.none.caller(loadBalancerHeader: "anything", authorization: "Bearer anything")
        #expect(caller == .local && caller.owner == "local" && !caller.isAdmin && caller.seesDeadLetters)
    }

    @Test func eitherProofWorksWithBothModesOn() async throws {
        let authenticator = both()
        let viaALB = try await authenticator.caller(loadBalancerHeader: try await loadBalancer.header(owner: "ann"), authorization: nil)
        #expect(viaALB.owner == "ann" && viaALB.via == .alb && !viaALB.isAdmin && !viaALB.seesDeadLetters)
        let viaToken = try await authenticator.caller(loadBalancerHeader: nil, authorization: try await bearer("bob"))
        #expect(viaToken.owner == "bob" && viaToken.via == .jwt)
        await #expect(throws: IdentityError.missing("x-amzn-oidc-data header or bearer token")) {
            try await authenticator.caller(loadBalancerHeader: nil, authorization: nil)
        }
    }

    @Test func aHeaderThatFailsIsRefusedEvenWithAGoodToken() async throws {
        let forged = try await loadBalancer.header(owner: "admin", groups: ["admins"], signedBy: ES256PrivateKey())
        await #expect(throws: IdentityError.self) {
            try await both().caller(loadBalancerHeader: forged, authorization: try await bearer("bob"))
        }
    }

    @Test func aModeThatIsOffIgnoresItsHeader() async throws {
        let albOnly = loadBalancer.authenticator()
        await #expect(throws: IdentityError.missing("x-amzn-oidc-data header")) {
            try await albOnly.caller(loadBalancerHeader: nil, authorization: try await bearer("bob"))
        }
    }

    @Test func membersOfTheAdminGroupAreAdministrators() async throws {
        let admin = try await both().caller(loadBalancerHeader: try await loadBalancer.header(owner: "root", groups: ["admins"]), authorization: nil)
        #expect(admin.isAdmin && admin.readableOwner == nil && admin.mayRead(imagesOf: "ann"))
        let viaToken = try await both().caller(loadBalancerHeader: nil, authorization: try await bearer("ops", groups: ["admins"]))
        #expect(viaToken.isAdmin)
        let user = try await both().caller(loadBalancerHeader: try await loadBalancer.header(owner: "ann", groups: ["users"]), authorization: nil)
        #expect(!user.isAdmin && user.readableOwner == "ann" && !user.mayRead(imagesOf: "bob"))
    }

    /// Cognito's user info (the header) has no groups; its access token (client_id, no aud) does.
    func accessToken(_ owner: String, groups: [String], key: ES256PrivateKey? = nil) async throws -> String {
        let claims: [String: Any] = [
            "sub": owner, "iss": Self.issuer, "client_id": "images-api", "token_use": "access", "cognito:groups": groups,
            "exp": Date().timeIntervalSince1970 + 600,
        ]
        return try await TestTokens.es256(header: ["alg": "ES256", "kid": "k1"], claims: claims, key: key ?? issuerKey, padded: false)
    }

    @Test func groupsComeFromTheVerifiedAccessTokenOfTheSameUser() async throws {
        let header = try await loadBalancer.header(owner: "root")
        let admin = try await both().caller(loadBalancerHeader: header, accessToken: try await accessToken("root", groups: ["admins"]), authorization: nil)
        #expect(admin.isAdmin && admin.owner == "root")
        let someoneElses = try await accessToken("other", groups: ["admins"])
        #expect(try await !both().caller(loadBalancerHeader: header, accessToken: someoneElses, authorization: nil).isAdmin)
        let forged = try await accessToken("root", groups: ["admins"], key: ES256PrivateKey())
        let caller = try await both().caller(loadBalancerHeader: header, accessToken: forged, authorization: nil)
        #expect(!caller.isAdmin && caller.owner == "root", "a token that does not verify adds nothing, and takes nothing")
        let albOnly = try await loadBalancer.authenticator().caller(
            loadBalancerHeader: header, accessToken: try await accessToken("root", groups: ["admins"]), authorization: nil
        )
        #expect(!albOnly.isAdmin, "without the issuer's keys the access token is not read")
    }
}
