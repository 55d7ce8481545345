import Foundation
import Hummingbird
import Logging
import PipelineContract
import PipelineService
import PipelineSettings
import ServiceLifecycle

/// What the notifier works with; the seams that tests replace with fakes.
struct NotifierDependencies: Sendable {
    var inputBucket: any ObjectStore
    var processedBucket: any ObjectStore
    var processedQueue: any MessageQueue
    var index = ImageIndex()
    var metrics = NotifierMetrics()
    /// The pipeline panel's numbers: the input queue's and the dead-letter queues' depths.
    var monitor: PipelineMonitor
    var heartbeat: Duration = .seconds(15)
    /// The event consumer's long poll. Shutdown waits for the one under way (tests shorten it).
    var eventWaitSeconds = 20

    init(
        inputBucket: any ObjectStore, processedBucket: any ObjectStore, processedQueue: any MessageQueue,
        inputQueue: any MessageQueue, deadLetterQueues: [any MessageQueue] = [], pollInterval: Duration = .seconds(5),
        heartbeat: Duration = .seconds(15), logger: Logger = Logger(label: NotifierConfiguration.serviceName)
    ) {
        self.inputBucket = inputBucket
        self.processedBucket = processedBucket
        self.processedQueue = processedQueue
        self.monitor = PipelineMonitor(inputQueue: inputQueue, deadLetterQueues: deadLetterQueues, pollInterval: pollInterval, logger: logger)
        self.heartbeat = heartbeat
    }
}

/// The folder of the page's static files, shipped as the target's resources.
let publicFolder = Bundle.module.resourceURL?.appendingPathComponent("Public").path ?? "Public"

func buildRouter(configuration: NotifierConfiguration, dependencies: NotifierDependencies, logger: Logger) -> Router<ServiceRequestContext> {
    let router = Router(context: ServiceRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.addMiddleware {
        // Every request, the page's files included; health checks and scrapes at debug level.
        RequestLogMiddleware("request", quietPaths: ["/healthz", "/readyz", "/metrics"])
        SecurityHeadersMiddleware(contentSecurityPolicy: configuration.contentSecurityPolicy)
        FileMiddleware(publicFolder, cacheControl: .init([(MediaType(type: .any), [.noCache])]), searchForIndexHtml: true, logger: logger)
    }
    let rebuilder = IndexRebuilder(
        index: dependencies.index, inputBucket: dependencies.inputBucket, processedBucket: dependencies.processedBucket, logger: logger
    )
    ImageRoutes(
        index: dependencies.index, rebuilder: rebuilder, inputBucket: dependencies.inputBucket,
        processedBucket: dependencies.processedBucket, publicUploadURL: configuration.publicUploadURL,
        maxUploadBytes: configuration.maxUploadBytes
    ).addRoutes(to: router)
    EventStreamRoute(index: dependencies.index, monitor: dependencies.monitor, heartbeat: dependencies.heartbeat).addRoutes(to: router)
    let monitor = dependencies.monitor
    router.get("api/pipeline") { _, _ in
        JSONBody(await monitor.snapshot())
    }
    let input = dependencies.inputBucket
    let processed = dependencies.processedBucket
    let queue = dependencies.processedQueue
    let readiness = ReadinessProbe(checks: [
        (name: "s3-input", run: { try await input.checkReachable() }),
        (name: "s3-processed", run: { try await processed.checkReachable() }),
        (name: "sqs", run: { try await queue.checkReachable() }),
    ])
    let index = dependencies.index
    let metrics = dependencies.metrics
    router.addOperationalRoutes(readiness: readiness, metrics: metrics.registry) {
        await metrics.update(from: index)
    }
    router.addMethodNotAllowedResponses(staticFolder: publicFolder)
    return router
}

/// The notifier: the page and its API and the processed-queue consumer, as one application whose
/// services stop together on SIGTERM.
func buildApplication(configuration: NotifierConfiguration, dependencies: NotifierDependencies, logger: Logger) -> some ApplicationProtocol {
    let rebuilder = IndexRebuilder(
        index: dependencies.index, inputBucket: dependencies.inputBucket, processedBucket: dependencies.processedBucket, logger: logger
    )
    var app = Application(
        router: buildRouter(configuration: configuration, dependencies: dependencies, logger: logger),
        configuration: ServiceStartup.applicationConfiguration(configuration.shared, name: NotifierConfiguration.serviceName),
        logger: logger
    )
    app.addServices(
        ProcessedEventConsumer(
            queue: dependencies.processedQueue, index: dependencies.index, monitor: dependencies.monitor, metrics: dependencies.metrics, logger: logger,
            waitSeconds: dependencies.eventWaitSeconds
        ),
        PipelineMonitorService(monitor: dependencies.monitor)
    )
    // The index is rebuilt from the buckets before the server answers, so a restart loses nothing.
    app.beforeServerStarts {
        do {
            try await rebuilder.rebuild()
            let count = await dependencies.index.count
            logger.info("index rebuilt from the buckets", metadata: ["images": .stringConvertible(count)])
        } catch {
            logger.error("rebuilding the index failed; it fills from events, and POST /api/refresh tries again", metadata: ["error": .string("\(error)")])
        }
    }
    return app
}
