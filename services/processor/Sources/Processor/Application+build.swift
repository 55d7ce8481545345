import Hummingbird
import Logging
import PipelineContract
import PipelineService
import PipelineSettings

/// What the worker works with; the seams that tests replace with fakes.
struct ProcessorDependencies: Sendable {
    var inputQueue: any MessageQueue
    var processedQueue: any MessageQueue
    var inputBucket: any ObjectStore
    var processedBucket: any ObjectStore
    var metrics = ProcessorMetrics()

    /// The job; with `settings.deleteLinger` (`eventLinger`) above zero its deletions (events)
    /// are batched, and only a running ``ImageWorker`` sends them.
    func job(settings: ProcessorSettings, logger: Logger) -> ImageJob {
        ImageJob(
            inputQueue: inputQueue, processedQueue: processedQueue, inputBucket: inputBucket, processedBucket: processedBucket,
            settings: settings, metrics: metrics, logger: logger,
            deletions: settings.deleteLinger > .zero ? MessageDeletions(queue: inputQueue, linger: settings.deleteLinger, logger: logger) : nil,
            events: settings.eventLinger > .zero ? EventSends(queue: processedQueue, linger: settings.eventLinger) : nil
        )
    }
}

/// `/healthz`, `/readyz` (both buckets and both queues answer) and `/metrics`.
func buildRouter(dependencies: ProcessorDependencies) -> Router<ServiceRequestContext> {
    let router = Router(context: ServiceRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.addMiddleware { SecurityHeadersMiddleware() }
    let (inputQueue, processedQueue) = (dependencies.inputQueue, dependencies.processedQueue)
    let (inputBucket, processedBucket) = (dependencies.inputBucket, dependencies.processedBucket)
    let readiness = ReadinessProbe(checks: [
        (name: "s3-input", run: { try await inputBucket.checkReachable() }),
        (name: "s3-processed", run: { try await processedBucket.checkReachable() }),
        (name: "sqs-input", run: { try await inputQueue.checkReachable() }),
        (name: "sqs-processed", run: { try await processedQueue.checkReachable() }),
    ])
    router.addOperationalRoutes(readiness: readiness, metrics: dependencies.metrics.registry)
    router.addMethodNotAllowedResponses()
    return router
}

/// The worker and its HTTP side as one application; SIGTERM drains the worker.
func buildApplication(configuration: ProcessorConfiguration, dependencies: ProcessorDependencies, logger: Logger) -> some ApplicationProtocol {
    let settings = ProcessorSettings(configuration)
    var app = Application(
        router: buildRouter(dependencies: dependencies),
        configuration: ServiceStartup.applicationConfiguration(configuration.shared, name: ProcessorConfiguration.serviceName),
        logger: logger
    )
    app.addServices(ImageWorker(queue: dependencies.inputQueue, job: dependencies.job(settings: settings, logger: logger), settings: settings, logger: logger))
    return app
}
