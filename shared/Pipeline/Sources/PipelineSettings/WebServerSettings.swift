/// How a web service (upload API, notifier) faces its clients: the ops port, the HTTP server's
/// timeouts, and which proxies' `X-Forwarded-For` entries it believes. Read once at start.
public struct WebServerSettings: Sendable, Equatable {
    /// OPS_PORT: readiness details and metrics; the load balancer never routes to it (its health
    /// check does). Default: the service's port + 1000 (0 when the port is 0, chosen by the system).
    public var opsPort: Int
    /// HTTP_IDLE_TIMEOUT_SECONDS: a connection that sends nothing for this long is closed (between
    /// requests, and a request head that is not whole by then). Longer than the load balancer's
    /// 60 s, so that it, not the service, closes its idle connections first.
    public var idleTimeout: Duration
    /// HTTP_HEADER_TIMEOUT_SECONDS: a new connection's first request head must be whole within this.
    public var headerTimeout: Duration
    /// BODY_IDLE_SECONDS: a request body that sends no byte for this long is cut (an upload: 408,
    /// and undone).
    public var bodyIdleTimeout: Duration
    /// TRUSTED_PROXY_HOPS: how many proxies in front (1 behind the load balancer) append to
    /// `X-Forwarded-For`. The client is the entry the outermost of them appended; what a client
    /// wrote itself is never believed. 0: the connection's peer.
    public var trustedProxyHops: Int

    public init(
        opsPort: Int, idleTimeout: Duration = .seconds(75), headerTimeout: Duration = .seconds(10), bodyIdleTimeout: Duration = .seconds(30),
        trustedProxyHops: Int = 0
    ) {
        self.opsPort = opsPort
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
        self.bodyIdleTimeout = bodyIdleTimeout
        self.trustedProxyHops = trustedProxyHops
    }

    /// - Parameter httpPort: the service's public port (HTTP_PORT), the base of OPS_PORT's default.
    public init(environment: EnvironmentVariables, httpPort: Int) throws(ConfigurationError) {
        let opsDefault = httpPort == 0 ? 0 : httpPort + 1000
        opsPort = try environment.int("OPS_PORT", default: opsDefault, range: 0...65_535)
        if opsPort != 0, opsPort == httpPort {
            throw ConfigurationError(variable: "OPS_PORT", reason: "must differ from HTTP_PORT (\(httpPort)): the ops port is never public")
        }
        idleTimeout = .seconds(try environment.int("HTTP_IDLE_TIMEOUT_SECONDS", default: 75, range: 1...3600))
        headerTimeout = .seconds(try environment.int("HTTP_HEADER_TIMEOUT_SECONDS", default: 10, range: 1...300))
        bodyIdleTimeout = .seconds(try environment.int("BODY_IDLE_SECONDS", default: 30, range: 1...3600))
        trustedProxyHops = try environment.int("TRUSTED_PROXY_HOPS", default: 0, range: 0...10)
    }
}
