import Foundation
import Hummingbird
import Logging
import PipelineContract
import PipelineIdentity
import PipelineService
import PipelineSettings
import ServiceLifecycle

/// What the notifier works with; the seams that tests replace with fakes.
struct NotifierDependencies: Sendable {
    var inputBucket: any ObjectStore
    var processedBucket: any ObjectStore
    var processedQueue: any MessageQueue
    /// The image index, and its stream of changes.
    var table: any ImageTable
    var changes: any ImageChangeFeed
    /// This replica's browsers' subscriptions to the changes.
    var hub = ImageChangeHub()
    var metrics = NotifierMetrics()
    /// RETENTION_DAYS, as a new item's lifetime; nil keeps items.
    var retention: Duration?
    /// The pipeline panel's numbers: the input queue's and the dead-letter queues' depths.
    var monitor: PipelineMonitor
    var heartbeat: Duration = .seconds(15)
    /// An event stream whose client takes no write for this long is closed (tests shorten it).
    var streamWriteTimeout: Duration = .seconds(30)
    /// The event consumer's long poll. Shutdown waits for the one under way (tests shorten it).
    var eventWaitSeconds = 20
    /// Who is asking (AUTH_MODE): every `/api` route is behind it.
    var authenticator = Authenticator.none
    /// The input queue's dead letters, listed and sent back for administrators (nil: no such routes).
    var deadLetterOffice: DeadLetterOffice?

    init(
        inputBucket: any ObjectStore, processedBucket: any ObjectStore, processedQueue: any MessageQueue,
        table: any ImageTable, changes: any ImageChangeFeed,
        inputQueue: any MessageQueue, deadLetterQueues: [any MessageQueue] = [], pollInterval: Duration = .seconds(5),
        heartbeat: Duration = .seconds(15), logger: Logger = Logger(label: NotifierConfiguration.serviceName)
    ) {
        self.inputBucket = inputBucket
        self.processedBucket = processedBucket
        self.processedQueue = processedQueue
        self.table = table
        self.changes = changes
        self.monitor = PipelineMonitor(inputQueue: inputQueue, deadLetterQueues: deadLetterQueues, pollInterval: pollInterval, logger: logger)
        self.heartbeat = heartbeat
    }
}

/// The folder of the page's static files, shipped as the target's resources.
let publicFolder = Bundle.module.resourceURL?.appendingPathComponent("Public").path ?? "Public"

func buildRouter(configuration: NotifierConfiguration, dependencies: NotifierDependencies, logger: Logger) -> Router<ServiceRequestContext> {
    let router = Router(context: ServiceRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.addMiddleware {
        // Every request, the page's files included, with the client's address and owner.
        RequestLogMiddleware("request", quietPaths: ["/healthz"], trustedProxyHops: configuration.web.trustedProxyHops)
        SecurityHeadersMiddleware(contentSecurityPolicy: configuration.contentSecurityPolicy)
        FileMiddleware(publicFolder, cacheControl: .init([(MediaType(type: .any), [.noCache])]), searchForIndexHtml: true, logger: logger)
    }
    // The page's files are anyone's; everything under /api is the caller's (401 without one).
    let api = router.group("api").add(middleware: IdentityMiddleware(dependencies.authenticator))
    var images = ImageRoutes(
        table: dependencies.table, inputBucket: dependencies.inputBucket, processedBucket: dependencies.processedBucket,
        publicUploadURL: configuration.publicUploadURL, maxUploadBytes: configuration.maxUploadBytes, signOutURL: configuration.signOutURL
    )
    images.zipLimits = configuration.zipLimits
    images.addRoutes(to: api)
    EventStreamRoute(
        hub: dependencies.hub, monitor: dependencies.monitor, heartbeat: dependencies.heartbeat, writeTimeout: dependencies.streamWriteTimeout
    ).addRoutes(to: api)
    if let office = dependencies.deadLetterOffice { DeadLetterRoutes(office: office).addRoutes(to: api) }
    api.get("openapi.yaml") { _, _ in
        Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: NotifierOpenAPIDocument.yaml)))
    }
    let monitor = dependencies.monitor
    api.get("pipeline") { _, context in
        let snapshot = await monitor.snapshot()
        return JSONBody(try context.requireCaller().seesDeadLetters ? snapshot : snapshot.withoutDeadLetters)
    }
    router.addHealthRoute()
    router.addMethodNotAllowedResponses(staticFolder: publicFolder)
    return router
}

/// What the ops port's `/readyz` checks: both buckets, the event queue and the table.
func readinessProbe(_ dependencies: NotifierDependencies) -> ReadinessProbe {
    let input = dependencies.inputBucket
    let processed = dependencies.processedBucket
    let queue = dependencies.processedQueue
    let table = dependencies.table
    return ReadinessProbe(checks: [
        (name: "s3-input", run: { try await input.checkReachable() }),
        (name: "s3-processed", run: { try await processed.checkReachable() }),
        (name: "sqs", run: { try await queue.checkReachable() }),
        (name: "dynamodb", run: { try await table.checkReachable() }),
    ])
}

/// The notifier: the page and its API, the processed-queue consumer and the follower of the
/// table's stream, as one application whose services stop together on SIGTERM. It starts in the
/// same time whatever the number of images: nothing is listed or loaded first.
func buildApplication(configuration: NotifierConfiguration, dependencies: NotifierDependencies, logger: Logger) -> some ApplicationProtocol {
    let name = NotifierConfiguration.serviceName
    var app = Application(
        router: buildRouter(configuration: configuration, dependencies: dependencies, logger: logger),
        server: ServiceStartup.httpServer(configuration.web),
        configuration: ServiceStartup.applicationConfiguration(configuration.shared, name: name),
        logger: logger
    )
    let hub = dependencies.hub
    let metrics = dependencies.metrics
    let ops = ServiceStartup.opsApplication(
        configuration.shared, web: configuration.web, name: name, readiness: readinessProbe(dependencies),
        metrics: metrics.registry, beforeScrape: { await metrics.update(from: hub) }, logger: logger
    )
    app.addServices(
        ops,
        ProcessedEventConsumer(
            queue: dependencies.processedQueue, table: dependencies.table, monitor: dependencies.monitor, metrics: dependencies.metrics,
            logger: logger, waitSeconds: dependencies.eventWaitSeconds, retention: dependencies.retention
        ),
        ImageChangeFollower(changes: dependencies.changes, hub: dependencies.hub, monitor: dependencies.monitor),
        PipelineMonitorService(monitor: dependencies.monitor)
    )
    return app
}
