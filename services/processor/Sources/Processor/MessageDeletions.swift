import Logging
import PipelineConcurrency
import PipelineContract

/// Deletes worked messages a batch at a time.
///
/// A deletion waits up to `linger` for others; then every waiting one goes out in
/// DeleteMessageBatch calls of up to ten. At the pipeline's rates that is one SQS call for several
/// images instead of one each (fewer requests billed, about a millisecond of CPU less per image).
/// Waiting is safe: the image is stored and its event published before its deletion is asked
/// for, so a deletion lost to a crash only means the message comes again and is done again, as
/// with any at-least-once delivery. `linger` is far below the visibility timeout.
///
/// ``run()`` sends the batches; it returns once ``finish()`` was called and nothing waits.
final class MessageDeletions: Sendable {
    let queue: any MessageQueue
    let logger: Logger
    private let batches: LingeringBatches<String>

    /// - Parameter clock: what `linger` is measured on (a manual clock in tests).
    init(queue: any MessageQueue, linger: Duration, clock: some Clock<Duration> = ContinuousClock(), logger: Logger) {
        self.queue = queue
        self.logger = logger
        batches = LingeringBatches(linger: linger, clock: clock) { receiptHandles in
            await Self.send(receiptHandles, to: queue, logger: logger)
        }
    }

    /// Asks for a message's deletion; returns at once (or, once ``run()`` ended, after deleting it).
    func delete(_ receiptHandle: String) async {
        if !batches.add(receiptHandle) {
            await Self.send([receiptHandle], to: queue, logger: logger)
        }
    }

    /// Sends what waits, without lingering, and lets ``run()`` return.
    func finish() { batches.finish() }

    /// Sends the deletions in batches until ``finish()``.
    func run() async { await batches.run() }

    private static func send(_ receiptHandles: [String], to queue: any MessageQueue, logger: Logger) async {
        do {
            let failed = try await queue.deleteBatch(receiptHandles: receiptHandles)
            if !failed.isEmpty {
                // The work is done and idempotent: a redelivery repeats it harmlessly.
                logger.warning("some messages could not be deleted; they will be processed again", metadata: [
                    "failed": "\(failed.count)", "of": "\(receiptHandles.count)",
                ])
            }
        } catch {
            logger.warning("deleting messages failed; they will be processed again", metadata: [
                "count": "\(receiptHandles.count)", "error": .string("\(error)"),
            ])
        }
    }
}
