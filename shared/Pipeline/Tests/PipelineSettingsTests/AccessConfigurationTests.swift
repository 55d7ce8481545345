import PipelineSettings
import Testing

/// AUTH_MODE and its companions: `none` by default, each mode requiring what it verifies with,
/// defaults for the key URLs as DESIGN says, a bad value naming its variable.
@Suite struct AccessConfigurationTests {
    let arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/pipeline/50dc6c495c0c9188"

    func access(_ values: [String: String]) throws -> AccessConfiguration {
        try AccessConfiguration(environment: EnvironmentVariables(values), region: "eu-west-1")
    }

    @Test func noneByDefault() throws {
        let access = try access([:])
        #expect(access.loadBalancer == nil && access.tokenIssuer == nil)
        #expect(access.modeName == "none" && access.adminGroup == "admins")
        #expect(try self.access(["AUTH_MODE": "None"]) == .none)
    }

    @Test func loadBalancerModeReadsTheARNAndDefaultsTheKeyURLToTheRegion() throws {
        let access = try access(["AUTH_MODE": "alb", "ALB_ARN": arn])
        #expect(access.loadBalancer?.arn == arn)
        #expect(access.loadBalancer?.publicKeyURL == "https://public-keys.auth.elb.eu-west-1.amazonaws.com")
        #expect(access.tokenIssuer == nil && access.modeName == "alb")
        let local = try self.access(["AUTH_MODE": "alb", "ALB_ARN": arn, "ALB_PUBLIC_KEY_URL": "http://127.0.0.1:9000/keys"])
        #expect(local.loadBalancer?.publicKeyURL == "http://127.0.0.1:9000/keys")
    }

    @Test func tokenModeDefaultsTheJWKSToTheIssuersWellKnownPath() throws {
        let access = try access(["AUTH_MODE": "jwt", "JWT_ISSUER": "https://issuer.example/pool/", "JWT_AUDIENCE": "pipeline"])
        #expect(access.tokenIssuer?.issuer == "https://issuer.example/pool/")
        #expect(access.tokenIssuer?.jwksURL == "https://issuer.example/pool/.well-known/jwks.json")
        #expect(access.tokenIssuer?.audience == "pipeline")
    }

    @Test func anIssuerThatIsNoURLNeedsItsKeySetsURL() throws {
        let access = try access(["AUTH_MODE": "jwt", "JWT_ISSUER": "pipeline-tests", "JWT_AUDIENCE": "a", "JWKS_URL": "http://127.0.0.1:9/jwks"])
        #expect(access.tokenIssuer?.issuer == "pipeline-tests" && access.tokenIssuer?.jwksURL == "http://127.0.0.1:9/jwks")
    }

    @Test func bothModesAtOnceInEitherOrder() throws {
        let values = ["ALB_ARN": arn, "JWT_ISSUER": "https://issuer.example", "JWT_AUDIENCE": "pipeline", "ADMIN_GROUP": "ops"]
        for mode in ["alb,jwt", "jwt, alb"] {
            let access = try access(values.merging(["AUTH_MODE": mode]) { $1 })
            #expect(access.loadBalancer != nil && access.tokenIssuer != nil)
            #expect(access.modeName == "alb,jwt" && access.adminGroup == "ops")
        }
    }

    @Test(arguments: [
        (["AUTH_MODE": "cognito"], "AUTH_MODE"),
        (["AUTH_MODE": "none,alb"], "AUTH_MODE"),
        (["AUTH_MODE": "alb"], "ALB_ARN"),
        (["AUTH_MODE": "alb", "ALB_ARN": "pipeline"], "ALB_ARN"),
        (["AUTH_MODE": "jwt", "JWT_ISSUER": "issuer", "JWT_AUDIENCE": "pipeline", "JWKS_URL": "keys.json"], "JWKS_URL"),
        (["AUTH_MODE": "alb", "ALB_ARN": "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/x/1", "ALB_PUBLIC_KEY_URL": "keys"], "ALB_PUBLIC_KEY_URL"),
        (["AUTH_MODE": "jwt", "JWT_AUDIENCE": "pipeline"], "JWT_ISSUER"),
        (["AUTH_MODE": "jwt", "JWT_ISSUER": "issuer.example", "JWT_AUDIENCE": "pipeline"], "JWT_ISSUER"),
        (["AUTH_MODE": "jwt", "JWT_ISSUER": "https://issuer.example"], "JWT_AUDIENCE"),
    ])
    func whatAModeNeedsIsRequired(_ values: [String: String], _ variable: String) {
        #expect { try access(values) } throws: { error in
            (error as? ConfigurationError)?.variable == variable
        }
    }
}
