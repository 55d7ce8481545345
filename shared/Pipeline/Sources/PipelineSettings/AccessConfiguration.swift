import Foundation

/// Who may call the upload API and the notifier (AUTH_MODE and its companions, DESIGN's "Owners
/// and access"): read once, checked whole, so a service never starts accepting what it cannot
/// verify.
public struct AccessConfiguration: Sendable, Equatable {
    /// The ways a caller can prove who it is.
    public enum Mode: String, Sendable, CaseIterable {
        /// The load balancer signed the user in and says who it is in `x-amzn-oidc-data`.
        case alb
        /// A bearer token of JWT_ISSUER.
        case jwt
    }

    /// The load balancer whose identity header is trusted.
    public struct LoadBalancer: Sendable, Equatable {
        /// ALB_ARN: the `signer` the header's token must name.
        public var arn: String
        /// ALB_PUBLIC_KEY_URL: the PEM key of a `kid` is at `{url}/{kid}`.
        public var publicKeyURL: String
    }

    /// The issuer whose bearer tokens are accepted.
    public struct TokenIssuer: Sendable, Equatable {
        /// JWT_ISSUER: the `iss` tokens must name.
        public var issuer: String
        /// JWT_AUDIENCE: what `aud` must include.
        public var audience: String
        /// JWKS_URL: the issuer's keys.
        public var jwksURL: String
    }

    /// No mode: one owner (`local`), no sign-in (AUTH_MODE=none).
    public var loadBalancer: LoadBalancer?
    public var tokenIssuer: TokenIssuer?
    /// ADMIN_GROUP: members see every owner's images and the dead letters.
    public var adminGroup: String

    /// The modes on, in AUTH_MODE's words (`none`, `alb`, `jwt`, `alb,jwt`).
    public var modeName: String {
        let modes = [loadBalancer.map { _ in "alb" }, tokenIssuer.map { _ in "jwt" }].compactMap { $0 }
        return modes.isEmpty ? "none" : modes.joined(separator: ",")
    }

    /// No sign-in: what `AUTH_MODE=none` means.
    public static let none = AccessConfiguration(loadBalancer: nil, tokenIssuer: nil, adminGroup: "admins")

    public init(loadBalancer: LoadBalancer?, tokenIssuer: TokenIssuer?, adminGroup: String) {
        self.loadBalancer = loadBalancer
        self.tokenIssuer = tokenIssuer
        self.adminGroup = adminGroup
    }

    /// - Parameter region: the AWS region, for the load balancer's default key URL.
    public init(environment: EnvironmentVariables, region: String) throws(ConfigurationError) {
        let modes = try Self.modes(environment.string("AUTH_MODE", default: "none"))
        adminGroup = environment.string("ADMIN_GROUP", default: "admins")
        if modes.contains(.alb) {
            let arn = try environment.required("ALB_ARN")
            guard arn.hasPrefix("arn:") else {
                throw ConfigurationError(variable: "ALB_ARN", reason: "must be the load balancer's ARN (arn:...:loadbalancer/app/...), not \"\(arn)\"")
            }
            let defaultKeys = "https://public-keys.auth.elb.\(region).amazonaws.com"
            _ = try environment.url("ALB_PUBLIC_KEY_URL")  // validates it when set; used as written
            loadBalancer = LoadBalancer(arn: arn, publicKeyURL: environment.string("ALB_PUBLIC_KEY_URL", default: defaultKeys))
        }
        if modes.contains(.jwt) {
            let issuer = try environment.required("JWT_ISSUER")
            _ = try environment.url("JWKS_URL")
            // The issuer is compared as text; it must be a URL only where the key set's URL derives from it.
            guard environment["JWKS_URL"] != nil || (try? environment.url("JWT_ISSUER")) != nil else {
                throw ConfigurationError(variable: "JWT_ISSUER", reason: "must be the issuer's https:// URL (or set JWKS_URL), not \"\(issuer)\"")
            }
            let audience = try environment.required("JWT_AUDIENCE")
            let trimmed = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
            let jwks = environment.string("JWKS_URL", default: "\(trimmed)/.well-known/jwks.json")
            tokenIssuer = TokenIssuer(issuer: issuer, audience: audience, jwksURL: jwks)
        }
    }

    /// AUTH_MODE's value: `none`, or `alb` and `jwt` joined by commas.
    static func modes(_ text: String) throws(ConfigurationError) -> Set<Mode> {
        let words = text.lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if words == ["none"] { return [] }
        var modes: Set<Mode> = []
        for word in words {
            guard let mode = Mode(rawValue: word) else {
                throw ConfigurationError(variable: "AUTH_MODE", reason: "must be none, alb, jwt or alb,jwt, not \"\(text)\"")
            }
            modes.insert(mode)
        }
        return modes
    }
}
