import AWSClient
import ArgumentParser
import Foundation
import Logging
import PipelineAWS
import PipelineService
import PipelineSettings

/// Creates the buckets, queues and image table (idempotent): what `pipeline-setup` does without a subcommand.
struct EnsureCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ensure", abstract: "Creates the buckets, queues and image table the services use (idempotent)."
    )

    func run() async throws {
        let configuration: PipelineConfiguration
        do {
            let environment = EnvironmentVariables()
            configuration = try PipelineConfiguration(environment: environment)
            PipelineLogging.bootstrap(try LogSettings(environment: environment))
        } catch {
            FileHandle.standardError.write(Data("pipeline-setup: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let clients = PipelineClients(configuration: configuration, logger: Logger(label: "pipeline-setup"))
        do {
            let report = try await PipelineResources(clients, configuration: configuration).ensure()
            let target = configuration.aws.endpoint?.description ?? "AWS \(configuration.aws.region)"
            for line in report.lines { print("pipeline-setup: \(line) (\(target))") }
        } catch {
            FileHandle.standardError.write(Data("pipeline-setup: failed: \(error)\n".utf8))
            try? await clients.shutdown()
            throw ExitCode(1)
        }
        try? await clients.shutdown()
    }
}
