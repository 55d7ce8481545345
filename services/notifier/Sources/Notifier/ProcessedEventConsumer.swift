import Logging
import PipelineContract
import PipelineService
import Prometheus
import ServiceLifecycle

/// Consumes PROCESSED_QUEUE: long polls, applies each event to the index, deletes the batch.
/// Between rebuilds this is how the notifier learns anything, so its work per image does not
/// grow with the buckets.
///
/// Applying is idempotent, so a redelivered event is harmless. A body that is not an event is
/// logged and deleted (it would fail the same way every time).
///
/// On graceful shutdown (SIGTERM) the long poll under way is not cut short: SQS hands out
/// messages as it answers, and a poll cancelled on our side stays open on the server, so the
/// events it takes would stay invisible for the queue's visibility timeout, and FIFO would hold
/// every later event of their images behind them. It ends within `waitSeconds`, and whatever it
/// brings is released at once for the next notifier.
struct ProcessedEventConsumer: Service {
    let queue: any MessageQueue
    let index: ImageIndex
    /// Counts each outcome once, for the pipeline panel's throughput.
    let monitor: PipelineMonitor
    let metrics: NotifierMetrics
    let logger: Logger
    var waitSeconds = 20
    /// Seconds a received event stays invisible. Applying one takes milliseconds, so this is kept
    /// well below the queue's 60 s: it bounds how long a notifier that dies without a SIGTERM
    /// (kill -9, a crash) hides the events its last poll took, and their images' later events.
    var visibilityTimeout = 10
    /// Pauses after failed receives, so an unreachable queue is not hammered.
    var backoff = ReceiveBackoff()

    func run() async throws {
        var backoff = self.backoff
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            guard let messages = await queue.receiveUnlessStopping(
                maxMessages: 10, waitSeconds: waitSeconds, visibilityTimeout: visibilityTimeout, backoff: &backoff, logger: logger
            ) else { break }
            do {
                try await apply(messages)
            } catch {
                logger.warning("deleting applied events failed; they will come again", metadata: ["error": .string("\(error)")])
            }
        }
    }

    /// One receive, apply and delete round, without the shutdown rule of ``run()``: how the tests
    /// drive the consumer a round at a time. Returns how many messages it handled.
    @discardableResult
    func consumeOnce() async throws -> Int {
        let messages = try await queue.receive(maxMessages: 10, waitSeconds: waitSeconds, visibilityTimeout: visibilityTimeout)
        try await apply(messages)
        return messages.count
    }

    /// Applies each event to the index, then deletes the batch.
    func apply(_ messages: [QueueMessage]) async throws {
        guard !messages.isEmpty else { return }
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
    }
}
