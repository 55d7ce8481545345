import AWSClient
import ArgumentParser
import Hummingbird
import ImageEngine
import Logging
import PipelineAWS
import PipelineContract
import PipelineService
import PipelineSettings

/// `processor serve` (the default): the SQS worker with its health, readiness and metrics endpoints.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Consumes the input queue and binarizes every image (configured by the environment)."
    )

    func run() async throws {
        ServiceStartup.runTasksOnEventLoops()
        let configuration = ServiceStartup.configuration(ProcessorConfiguration.self)
        let settings = ProcessorSettings(configuration)
        let logger = Logger(label: ProcessorConfiguration.serviceName)
        // The processor never streams an object: the lean transport costs about a millisecond of
        // CPU less per image than AsyncHTTPClient (make bench-cost).
        let clients = PipelineClients(configuration: configuration.shared.pipeline, logger: logger, transport: NIOHTTPTransport())
        let dependencies = ProcessorDependencies(
            inputQueue: clients.inputQueue, processedQueue: clients.processedQueue,
            inputBucket: clients.inputBucket, processedBucket: clients.processedBucket
        )
        logger.info("processor starting", metadata: [
            "concurrency": "\(settings.concurrency)", "visibility_s": "\(settings.visibilityTimeout)", "bit_depth": "\(settings.bitDepth.rawValue)",
        ])
        let app = buildApplication(configuration: configuration, dependencies: dependencies, logger: logger)
        await ServiceRunner.runAndExit(app, clients: clients, logger: logger)
    }
}
