import ArgumentParser
import Foundation
import Logging
import PipelineAWS
import PipelineService
import PipelineSettings

/// What each subcommand that talks to AWS does first and last.
enum SetupRun {
    /// The configuration, with logging set up from it; a wrong variable ends the command with exit
    /// code 2 and the reason on stderr.
    static func configuration() throws -> PipelineConfiguration {
        do {
            let environment = EnvironmentVariables()
            let configuration = try PipelineConfiguration(environment: environment)
            PipelineLogging.bootstrap(try LogSettings(environment: environment))
            return configuration
        } catch {
            FileHandle.standardError.write(Data("pipeline-setup: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// Runs `body` with the clients and shuts them down after; a failure ends the command with exit
    /// code 1 and `what` failed on stderr.
    static func withClients(
        _ configuration: PipelineConfiguration, logger: Logger, failing what: String, _ body: (PipelineClients) async throws -> Void
    ) async throws {
        let clients = PipelineClients(configuration: configuration, logger: logger)
        do {
            try await body(clients)
        } catch {
            FileHandle.standardError.write(Data("pipeline-setup: \(what) failed: \(error)\n".utf8))
            try? await clients.shutdown()
            throw ExitCode(1)
        }
        try? await clients.shutdown()
    }
}
