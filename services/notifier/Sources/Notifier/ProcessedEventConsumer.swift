import Foundation
import Logging
import PipelineContract
import PipelineService
import Prometheus
import ServiceLifecycle

/// Consumes PROCESSED_QUEUE: long polls, applies each event to the image table, deletes what was
/// applied. Any number of notifiers do this at once, as competing consumers: the table's
/// conditional writes keep every state moving forward whoever applies which event.
///
/// Applying is idempotent, so a redelivered event is harmless. A body that is not an event is
/// logged and deleted (it would fail the same way every time). An event the table cannot take
/// (unreachable, throttling) is not deleted: it comes back after the visibility timeout and is
/// applied then, and the page's panel says the list is unavailable meanwhile.
///
/// On graceful shutdown (SIGTERM) the long poll under way is not cut short: SQS hands out
/// messages as it answers, and a poll cancelled on our side stays open on the server, so the
/// events it takes would stay invisible for the queue's visibility timeout, and FIFO would hold
/// every later event of their images behind them. It ends within `waitSeconds`, and whatever it
/// brings is released at once for the next notifier.
struct ProcessedEventConsumer: Service {
    let queue: any MessageQueue
    let table: any ImageTable
    /// Told whether the table takes events, for the page's panel.
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
    /// RETENTION_DAYS: a new item expires this long after it is written; nil keeps it.
    var retention: Duration?

    func run() async throws {
        var backoff = self.backoff
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            guard let messages = await queue.receiveUnlessStopping(
                maxMessages: 10, waitSeconds: waitSeconds, visibilityTimeout: visibilityTimeout, backoff: &backoff, logger: logger
            ) else { break }
            do {
                if try await apply(messages) < messages.count {
                    // The table did not take them: they come back after the visibility timeout.
                    await backoff.pause()
                }
            } catch {
                logger.warning("deleting applied events failed; they will come again", metadata: ["error": .string("\(error)")])
            }
        }
    }

    /// One receive, apply and delete round, without the shutdown rule of ``run()``: how the tests
    /// drive the consumer a round at a time. Returns how many messages it handled (applied, or
    /// dropped as not events).
    @discardableResult
    func consumeOnce() async throws -> Int {
        let messages = try await queue.receive(maxMessages: 10, waitSeconds: waitSeconds, visibilityTimeout: visibilityTimeout)
        return try await apply(messages)
    }

    /// Applies each event to the table, then deletes those it took (and those that are not
    /// events). Returns how many were deleted.
    @discardableResult
    func apply(_ messages: [QueueMessage]) async throws -> Int {
        guard !messages.isEmpty else { return 0 }
        var done: [String] = []
        var tableError: ImageTableError?
        for message in messages {
            let event: ImageEvent
            do {
                event = try PipelineJSON.decode(ImageEvent.self, from: message.body)
            } catch {
                metrics.malformedEvents.increment()
                logger.error("dropping a message that is not an image event", metadata: [
                    "message_id": .string(message.id), "error": .string("\(error)"),
                ])
                done.append(message.receiptHandle)
                continue
            }
            // After one failure the rest of the batch waits too: the table is likely still away.
            guard tableError == nil else { continue }
            do {
                let now = Date()
                _ = try await table.apply(event, at: now, expiresAt: retention.map { now.addingTimeInterval($0 / .seconds(1)) })
                metrics.eventsConsumed.increment()
                done.append(message.receiptHandle)
                logger.debug("event", metadata: ["image_id": .string(event.imageID), "status": .string(event.status.rawValue)])
            } catch {
                tableError = error as? ImageTableError ?? .unavailable(reason: "\(error)")
                logger.warning("the image table did not take an event; it stays on the queue", metadata: [
                    "image_id": .string(event.imageID), "error": .string("\(error)"),
                ])
            }
        }
        await monitor.noteImageTable(available: tableError == nil)
        guard !done.isEmpty else { return 0 }
        let failed = try await queue.deleteBatch(receiptHandles: done)
        if !failed.isEmpty {
            logger.warning("some events could not be deleted and will come again", metadata: ["count": .stringConvertible(failed.count)])
        }
        return done.count
    }
}
