import AWSClient
import AWSTestSupport
import Logging
import PipelineAWS
import PipelineSettings

/// A pipeline of its own on the emulator, for one integration test.
public enum TestPipeline {
    /// The emulator's environment with resource names of their own (`{prefix}-in-{random}`, …,
    /// `{prefix}-images-{random}`),
    /// or nil (after printing why) when there is no emulator. Nothing is created.
    public static func environment(_ prefix: String, filePath: String = #filePath) throws -> EnvironmentVariables? {
        guard let variables = try Emulator.variables(from: filePath) else { return nil }
        var environment = EnvironmentVariables(variables)
        let suffix = Emulator.uniqueSuffix()
        environment.values["INPUT_BUCKET"] = "\(prefix)-in-\(suffix)"
        environment.values["PROCESSED_BUCKET"] = "\(prefix)-out-\(suffix)"
        environment.values["INPUT_QUEUE"] = "\(prefix)-in-\(suffix).fifo"
        environment.values["PROCESSED_QUEUE"] = "\(prefix)-out-\(suffix).fifo"
        environment.values["IMAGE_TABLE"] = "\(prefix)-images-\(suffix)"
        // A service under test opens its ops port where the system chooses: tests never meet there.
        environment.values["OPS_PORT"] = "0"
        return environment
    }

    /// Runs `body` with fresh buckets and queues (named `{prefix}-…-{random}`), created as
    /// `pipeline-setup` does, and clients that are shut down after. Does nothing (after printing
    /// why) when there is no emulator.
    ///
    /// - Parameter body: gets the environment (for a service's own configuration), the shared
    ///   configuration and the clients.
    public static func run(
        _ prefix: String, filePath: String = #filePath,
        _ body: (EnvironmentVariables, PipelineConfiguration, PipelineClients) async throws -> Void
    ) async throws {
        guard let environment = try environment(prefix, filePath: filePath) else { return }
        let configuration = try PipelineConfiguration(environment: environment)
        let clients = PipelineClients(configuration: configuration, logger: Logger(label: "test"))
        do {
            try await PipelineResources(clients, configuration: configuration).ensure()
            try await body(environment, configuration, clients)
        } catch {
            try? await clients.shutdown()
            throw error
        }
        try await clients.shutdown()
    }
}
