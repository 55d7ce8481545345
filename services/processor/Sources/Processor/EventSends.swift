import PipelineConcurrency
import PipelineContract

/// Sends the processed and failed events a batch at a time (SendMessageBatch, ten a call).
///
/// An event waits up to `linger` for others, when other images are being worked on (a lone
/// image's event goes at once: nothing could join it). Its job waits for the answer, so the message is
/// deleted only after its event is sent, as without batching (at-least-once: a crash before
/// means the image is done again, and the event's deduplication id makes it one event). The
/// worker frees the job's slot as soon as the result is stored, so the wait costs up to `linger`
/// of latency on the page and no throughput; at the pipeline's rates it saves most of one SQS
/// call per image.
final class EventSends: Sendable {
    let queue: any MessageQueue
    private let batches: LingeringBatches<Pending>

    struct Pending: Sendable {
        var message: OutgoingMessage
        var continuation: CheckedContinuation<Void, any Error>
    }

    /// ``run()`` has ended: the event goes out on its own.
    private struct Stopped: Error {}

    init(queue: any MessageQueue, linger: Duration) {
        self.queue = queue
        batches = LingeringBatches(linger: linger) { pending in await Self.send(pending, to: queue) }
    }

    /// Sends `message` with the others that come within the linger; returns once it is sent.
    ///
    /// - Throws: ``MessageQueueError`` when the queue did not take it.
    func send(_ message: OutgoingMessage) async throws {
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if !batches.add(Pending(message: message, continuation: continuation)) {
                    continuation.resume(throwing: Stopped())
                }
            }
        } catch is Stopped {
            try await queue.send(body: message.body, groupID: message.groupID, deduplicationID: message.deduplicationID)
        }
    }

    /// Sends what waits, without lingering, and lets ``run()`` return.
    func finish() { batches.finish() }

    /// Sends the events in batches until ``finish()``.
    ///
    /// - Parameter othersWorking: whether other images are being worked on now (their events
    ///   may join the batch); without any, an event goes at once.
    func run(othersWorking: @escaping @Sendable () -> Bool = { true }) async { await batches.run(othersMayJoin: othersWorking) }

    private static func send(_ pending: [Pending], to queue: any MessageQueue) async {
        do {
            let refused = Set(try await queue.sendBatch(pending.map(\.message)))
            for (index, item) in pending.enumerated() {
                if refused.contains(index) {
                    item.continuation.resume(throwing: MessageQueueError(reason: "SendMessageBatch did not take the event"))
                } else {
                    item.continuation.resume()
                }
            }
        } catch {
            for item in pending { item.continuation.resume(throwing: error) }
        }
    }
}
