/// The `components.securitySchemes` both services' OpenAPI documents declare: who a request says
/// it is (AUTH_MODE). Lines indented for their place under `securitySchemes:` (four spaces).
public enum OpenAPISecuritySchemes {
    public static let yaml = """
            loadBalancer:
              type: apiKey
              in: header
              name: x-amzn-oidc-data
              description: Added by the AWS load balancer after it signed the user in (AUTH_MODE alb).
            bearer:
              type: http
              scheme: bearer
              bearerFormat: JWT
              description: An RS256 or ES256 token of JWT_ISSUER for JWT_AUDIENCE (AUTH_MODE jwt).
        """
}
