import Logging
import PipelineContract
import Prometheus
import ServiceLifecycle

/// Consumes PROCESSED_QUEUE: long polls, applies each event to the index, deletes the batch.
/// Between rebuilds this is how the notifier learns anything, so its work per image does not
/// grow with the buckets.
///
/// Applying is idempotent, so a redelivered event is harmless. A body that is not an event is
/// logged and deleted (it would fail the same way every time).
struct ProcessedEventConsumer: Service {
    let queue: any MessageQueue
    let index: ImageIndex
    /// Counts each outcome once, for the pipeline panel's throughput.
    let monitor: PipelineMonitor
    let metrics: NotifierMetrics
    let logger: Logger
    var waitSeconds = 20
    /// Pause after a failed receive, so an unreachable queue is not hammered.
    var retryDelay: Duration = .seconds(2)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await consumeOnce()
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("receiving processed events failed", metadata: ["error": .string("\(error)")])
                    try? await Task.sleep(for: retryDelay)
                }
            }
        }
    }

    /// One receive, apply and delete round; returns how many messages it handled.
    @discardableResult
    func consumeOnce() async throws -> Int {
        let messages = try await queue.receive(maxMessages: 10, waitSeconds: waitSeconds, visibilityTimeout: nil)
        guard !messages.isEmpty else { return 0 }
        for message in messages {
            do {
                let event = try PipelineJSON.decode(ImageEvent.self, from: message.body)
                if let outcome = await index.apply(event) { await monitor.noteOutcome(outcome) }
                metrics.eventsConsumed.increment()
                logger.debug("event", metadata: ["image_id": .string(event.imageID), "status": .string(event.status.rawValue)])
            } catch {
                metrics.malformedEvents.increment()
                logger.error("dropping a message that is not an image event", metadata: [
                    "message_id": .string(message.id), "error": .string("\(error)"),
                ])
            }
        }
        let failed = try await queue.deleteBatch(receiptHandles: messages.map(\.receiptHandle))
        if !failed.isEmpty {
            logger.warning("some events could not be deleted and will come again", metadata: ["count": .stringConvertible(failed.count)])
        }
        return messages.count
    }
}
