import AWSClient
import ArgumentParser
import Foundation
import Hummingbird
import ImageEngine
import Logging
import PipelineContract
import PipelineService

/// `processor serve` (the default): the SQS worker with its health, readiness and metrics endpoints.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Consumes the input queue and binarizes every image (configured by the environment)."
    )

    func run() async throws {
        let environment = EnvironmentVariables()
        let configuration = ServiceStartup.configuration(for: .processor, environment: environment)
        let settings: ProcessorSettings
        do {
            settings = try ProcessorSettings(environment: environment, configuration: configuration)
        } catch {
            FileHandle.standardError.write(Data("processor: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let logger = Logger(label: "processor")
        let clients = PipelineClients(configuration: configuration, logger: logger)
        let dependencies = ProcessorDependencies(
            inputQueue: clients.inputQueue, processedQueue: clients.processedQueue,
            inputBucket: clients.inputBucket, processedBucket: clients.processedBucket
        )
        logger.info("processor starting", metadata: [
            "concurrency": "\(settings.concurrency)", "visibility_s": "\(settings.visibilityTimeout)", "bit_depth": "\(settings.bitDepth.rawValue)",
        ])
        let app = buildApplication(configuration: configuration, settings: settings, dependencies: dependencies, logger: logger)
        await ServiceRunner.runAndExit(app, logger: logger) {
            try? await clients.shutdown()
        }
    }
}
