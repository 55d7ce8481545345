import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// Runs a service's application until SIGTERM or SIGINT, then shuts it down gracefully.
public enum ServiceRunner {
    /// How long graceful shutdown may take before it is escalated to cancellation: a client that
    /// stopped reading an event stream, or a stalled upload, must not keep the process alive.
    public static let maximumGracefulShutdown: Duration = .seconds(25)

    /// Runs `service`; returns normally after a clean shutdown and throws on a failure (the port
    /// is taken, a dependency broke), so that `main` can exit non-zero.
    public static func run(_ service: some Service, logger: Logger) async throws {
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
        )
        configuration.maximumGracefulShutdownDuration = maximumGracefulShutdown
        try await ServiceGroup(configuration: configuration).run()
    }

    /// Runs `service`, then `cleanup`, then exits: 0 after a clean shutdown, 1 after a failure.
    public static func runAndExit(_ service: some Service, logger: Logger, cleanup: @Sendable () async -> Void) async -> Never {
        var status: Int32 = 0
        do {
            try await run(service, logger: logger)
            logger.info("stopped")
        } catch {
            logger.critical("stopped by an error: \(error)")
            status = 1
        }
        await cleanup()
        exit(status)
    }
}
