import Hummingbird
import Logging
import PipelineContract
import PipelineIdentity
import PipelineService
import PipelineSettings
import Prometheus

/// What the upload API works with; the seams that tests replace with fakes.
struct UploadDependencies: Sendable {
    var store: any ObjectStore
    /// INPUT_QUEUE: the work.
    var queue: any MessageQueue
    /// PROCESSED_QUEUE: the `queued` event, so the notifier learns of the upload.
    var events: any MessageQueue
    var metrics = UploadMetrics()
    /// Storing and queueing, which a request waits for up to 30 s and which finishes regardless.
    var inFlight = UploadsInFlight(logger: Logger(label: UploadAPIConfiguration.serviceName))
    /// Who is uploading (AUTH_MODE).
    var authenticator = Authenticator.none
    /// Each owner's uploads of the day (the image table).
    var ledger: any UsageLedger

    init(store: any ObjectStore, queue: any MessageQueue, events: any MessageQueue, ledger: any UsageLedger) {
        self.store = store
        self.queue = queue
        self.events = events
        self.ledger = ledger
    }
}

/// Builds the public router: `POST /upload`, the OpenAPI document and a bare `/healthz`, with
/// CORS, one log line per request (client address and owner) and HSTS behind HTTPS.
func buildRouter(configuration: UploadAPIConfiguration, dependencies: UploadDependencies) -> Router<ServiceRequestContext> {
    let router = Router(context: ServiceRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.addMiddleware {
        RequestLogMiddleware("request", quietPaths: ["/healthz"], trustedProxyHops: configuration.web.trustedProxyHops)
        SecurityHeadersMiddleware()
        AllowedOriginsMiddleware(origins: configuration.corsAllowedOrigins)
    }
    UploadController(
        uploads: UploadStore(objects: dependencies.store, queue: dependencies.queue, events: dependencies.events),
        limits: configuration.limits, metrics: dependencies.metrics, inFlight: dependencies.inFlight,
        authenticator: dependencies.authenticator, admission: UploadAdmission(limit: configuration.maxUploadsInProgress, perOwner: configuration.maxUploadsInProgressPerOwner),
        ledger: dependencies.ledger, allowance: configuration.dailyAllowance
    ).addRoutes(to: router)
    router.get("/openapi.yaml") { _, _ in
        Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
    }
    router.addHealthRoute()
    router.addMethodNotAllowedResponses()
    return router
}

/// What the ops port's `/readyz` checks: S3, SQS and the table the allowances are counted in.
func readinessProbe(_ dependencies: UploadDependencies) -> ReadinessProbe {
    let store = dependencies.store
    let queue = dependencies.queue
    let ledger = dependencies.ledger
    return ReadinessProbe(checks: [
        (name: "s3", run: { try await store.checkReachable() }),
        (name: "sqs", run: { try await queue.checkReachable() }),
        (name: "dynamodb", run: { try await ledger.checkReachable() }),
    ])
}

/// The upload API as a Hummingbird application, with its ops port (readiness details, metrics)
/// as one of its services; SIGTERM lets in-flight uploads finish.
func buildApplication(configuration: UploadAPIConfiguration, dependencies: UploadDependencies, logger: Logger) -> some ApplicationProtocol {
    let name = UploadAPIConfiguration.serviceName
    var app = Application(
        router: buildRouter(configuration: configuration, dependencies: dependencies),
        server: ServiceStartup.httpServer(configuration.web),
        configuration: ServiceStartup.applicationConfiguration(configuration.shared, name: name),
        logger: logger
    )
    let ops = ServiceStartup.opsApplication(
        configuration.shared, web: configuration.web, name: name, readiness: readinessProbe(dependencies),
        metrics: dependencies.metrics.registry, logger: logger
    )
    // On SIGTERM the server stops taking requests, then uploads still being stored or queued finish.
    app.addServices(dependencies.inFlight, ops)
    return app
}
