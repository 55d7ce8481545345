import PipelineContract
import ServiceLifecycle

/// Follows the image table's stream for this replica's browsers: every change any notifier wrote
/// goes to the hub, which hands it to the clients of its owner, and each outcome to the pipeline
/// panel's throughput (so every replica counts all of them). Stops on graceful shutdown.
struct ImageChangeFollower: Service {
    let changes: any ImageChangeFeed
    let hub: ImageChangeHub
    let monitor: PipelineMonitor

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await change in changes.changes() {
                if case .updated(let item) = change, item.state != .queued {
                    await monitor.noteOutcome(item.state, of: item.imageID, at: item.notifiedAt ?? item.updatedAt)
                }
                await hub.publish(change)
            }
        }
    }
}
