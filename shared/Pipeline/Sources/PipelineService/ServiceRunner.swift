import Foundation
import Logging
import PipelineAWS
import ServiceLifecycle
import UnixSignals

/// Runs a service's application until SIGTERM or SIGINT, then shuts it down gracefully.
public enum ServiceRunner {
    /// How long graceful shutdown may take before it is escalated to cancellation: a client that
    /// stopped reading an event stream, or a stalled upload, must not keep the process alive.
    public static let maximumGracefulShutdown: Duration = .seconds(25)

    /// Runs `services` together; returns normally after a clean shutdown and throws on a failure
    /// (the port is taken, a dependency broke), so that `main` can exit non-zero. They stop in
    /// reverse order: list what the others use (the AWS clients) first.
    public static func run(_ services: [any Service], logger: Logger) async throws {
        var configuration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
        )
        configuration.maximumGracefulShutdownDuration = maximumGracefulShutdown
        try await ServiceGroup(configuration: configuration).run()
    }

    /// Runs a service's application with its AWS clients, then `cleanup`, then exits: 0 after a
    /// clean shutdown, 1 after a failure.
    public static func runAndExit(
        _ application: some Service, clients: PipelineClients, logger: Logger, cleanup: @Sendable () async -> Void = {}
    ) async -> Never {
        var status: Int32 = 0
        do {
            try await run([PipelineClientsService(clients: clients), application], logger: logger)
            logger.info("stopped")
        } catch {
            logger.critical("stopped by an error: \(error)")
            status = 1
        }
        await cleanup()
        exit(status)
    }
}
