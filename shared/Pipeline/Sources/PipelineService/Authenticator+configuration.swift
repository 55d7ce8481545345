import PipelineIdentity
import PipelineSettings

extension Authenticator {
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
