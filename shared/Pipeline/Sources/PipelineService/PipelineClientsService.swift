import PipelineAWS
import ServiceLifecycle

/// The AWS connection pool as a lifecycle service: it runs until the group shuts down, then closes
/// the pool. Listed first in the service group, it stops last, after every user of the clients.
public struct PipelineClientsService: Service {
    public let clients: PipelineClients

    public init(clients: PipelineClients) {
        self.clients = clients
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try await clients.shutdown()
    }
}
