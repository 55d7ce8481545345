import AWSClient
import ArgumentParser
import Logging
import PipelineAWS
import PipelineSettings

/// Creates the buckets, queues and image table (idempotent): what `pipeline-setup` does without a subcommand.
struct EnsureCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ensure", abstract: "Creates the buckets, queues and image table the services use (idempotent)."
    )

    func run() async throws {
        let configuration = try SetupRun.configuration()
        try await SetupRun.withClients(configuration, logger: Logger(label: "pipeline-setup"), failing: "ensure") { clients in
            let report = try await PipelineResources(clients, configuration: configuration).ensure()
            let target = configuration.aws.endpoint?.description ?? "AWS \(configuration.aws.region)"
            for line in report.lines { print("pipeline-setup: \(line) (\(target))") }
        }
    }
}
