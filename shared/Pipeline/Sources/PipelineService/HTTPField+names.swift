import HTTPTypes

extension HTTPField.Name {
    /// Sent by a reconnecting `EventSource`.
    public static var lastEventID: Self { Self("Last-Event-ID")! }
    /// Tells nginx-like proxies not to buffer a stream.
    public static var xAccelBuffering: Self { Self("X-Accel-Buffering")! }
    /// `nosniff`: the declared content type is the only one a browser may use.
    public static var xContentTypeOptions: Self { Self("X-Content-Type-Options")! }
    /// A client's key that makes a retried request return the first one's result.
    public static var idempotencyKey: Self { Self("Idempotency-Key")! }
    /// The load balancer's signed statement of who the signed-in user is (an ES256 JWT).
    public static var amznOIDCData: Self { Self("x-amzn-oidc-data")! }
    /// The identity provider's access token, which the load balancer passes on with the header above.
    public static var amznOIDCAccessToken: Self { Self("x-amzn-oidc-accesstoken")! }
    /// The addresses a request passed through, each proxy appending its peer's.
    public static var xForwardedFor: Self { Self("X-Forwarded-For")! }
    /// The scheme the client used with the load balancer.
    public static var xForwardedProto: Self { Self("X-Forwarded-Proto")! }
    /// What one archive download holds at most (`images=…, bytes=…`).
    public static var xArchiveLimits: Self { Self("X-Archive-Limits")! }
}
