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
}

/// Builds the router: `POST /upload`, the OpenAPI document, health, readiness and metrics, with CORS.
func buildRouter(configuration: UploadAPIConfiguration, dependencies: UploadDependencies) -> Router<ServiceRequestContext> {
    let router = Router(context: ServiceRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.addMiddleware {
        SecurityHeadersMiddleware()
        AllowedOriginsMiddleware(origins: configuration.corsAllowedOrigins)
    }
    UploadController(
        uploads: UploadStore(objects: dependencies.store, queue: dependencies.queue, events: dependencies.events),
        limits: configuration.limits, metrics: dependencies.metrics, inFlight: dependencies.inFlight,
        authenticator: dependencies.authenticator
    ).addRoutes(to: router)
    router.get("/openapi.yaml") { _, _ in
        Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
    }
    let store = dependencies.store
    let queue = dependencies.queue
    let readiness = ReadinessProbe(checks: [
        (name: "s3", run: { try await store.checkReachable() }),
        (name: "sqs", run: { try await queue.checkReachable() }),
    ])
    router.addOperationalRoutes(readiness: readiness, metrics: dependencies.metrics.registry)
    router.addMethodNotAllowedResponses()
    return router
}

/// The upload API as a Hummingbird application; SIGTERM lets in-flight uploads finish.
func buildApplication(configuration: UploadAPIConfiguration, dependencies: UploadDependencies, logger: Logger) -> some ApplicationProtocol {
    var app = Application(
        router: buildRouter(configuration: configuration, dependencies: dependencies),
        configuration: ServiceStartup.applicationConfiguration(configuration.shared, name: UploadAPIConfiguration.serviceName),
        logger: logger
    )
    // On SIGTERM the server stops taking requests, then uploads still being stored or queued finish.
    app.addServices(dependencies.inFlight)
    return app
}
