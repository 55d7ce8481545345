import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import PipelineSettings
import Prometheus

extension ServiceStartup {
    /// Hummingbird's HTTP/1 server with `web`'s timeouts: a connection idle for the idle timeout is
    /// closed, and one whose first request head is not whole within the header timeout; a request
    /// body that stops arriving fails its route with ``RequestBodyIdle``.
    public static func httpServer(_ web: WebServerSettings) -> HTTPServerBuilder {
        let headerTimeout = TimeAmount(web.headerTimeout)
        let bodyIdleTimeout = TimeAmount(web.bodyIdleTimeout)
        return .http1(configuration: .init(
            additionalChannelHandlers: [RequestDeadlinesHandler(headerTimeout: headerTimeout, bodyIdleTimeout: bodyIdleTimeout)],
            idleTimeout: TimeAmount(web.idleTimeout)
        ))
    }

    /// The ops port's routes: `/healthz`, `/readyz` with details, `/metrics`, 405 for other methods.
    public static func opsRouter(
        readiness: ReadinessProbe, metrics: PrometheusCollectorRegistry, beforeScrape: (@Sendable () async -> Void)? = nil
    ) -> Router<ServiceRequestContext> {
        let router = Router(context: ServiceRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.addOperationalRoutes(readiness: readiness, metrics: metrics, beforeScrape: beforeScrape)
        router.addMethodNotAllowedResponses()
        return router
    }

    /// The ops port's server (OPS_PORT): `/healthz`, `/readyz` with the reasons of a failed check,
    /// and `/metrics`. The load balancer never routes a client to it; its health check reads
    /// `/readyz` there. Runs as one of the service's services, so it stops with it.
    ///
    /// - Parameter beforeScrape: sets gauges that are read from state rather than kept up to date.
    public static func opsApplication(
        _ shared: SharedConfiguration, web: WebServerSettings, name: String,
        readiness: ReadinessProbe, metrics: PrometheusCollectorRegistry, beforeScrape: (@Sendable () async -> Void)? = nil,
        logger: Logger
    ) -> some ApplicationProtocol {
        let router = opsRouter(readiness: readiness, metrics: metrics, beforeScrape: beforeScrape)
        var opsLogger = logger
        opsLogger[metadataKey: "port"] = "ops"
        return Application(
            router: router, server: httpServer(web),
            configuration: ApplicationConfiguration(address: .hostname(shared.httpHost, port: web.opsPort), serverName: name + "-ops"),
            logger: opsLogger
        )
    }
}
