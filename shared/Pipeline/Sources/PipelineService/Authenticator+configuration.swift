import Logging
import PipelineIdentity
import PipelineSettings

extension Authenticator {
    /// The authenticator of a service's configuration, said once in its start-up log: whether a
    /// deployment asks callers who they are is the first thing an operator wants to know.
    public static func starting(_ access: AccessConfiguration, logger: Logger) -> Authenticator {
        logger.info("who may call", metadata: [
            "auth_mode": .string(access.modeName), "admin_group": .string(access.adminGroup),
        ])
        return Authenticator(access)
    }

    /// The authenticator AUTH_MODE and its companions describe, fetching keys from `keys`.
    public init(_ access: AccessConfiguration, keys: any PublicKeySource = HTTPPublicKeySource()) {
        self.init(
            loadBalancer: access.loadBalancer.map { ALBIdentityVerifier(albARN: $0.arn, publicKeyURL: $0.publicKeyURL, source: keys) },
            bearer: access.tokenIssuer.map {
                BearerTokenVerifier(issuer: $0.issuer, audience: $0.audience, jwksURL: $0.jwksURL, source: keys)
            },
            adminGroup: access.adminGroup
        )
    }
}
