import Logging
import PipelineContract
import Synchronization

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
    let linger: Duration
    let logger: Logger

    private struct State {
        var waiting: [String] = []
        var wakeUp: CheckedContinuation<Void, Never>?
        var finished = false
        /// Set when ``run()`` returned: later deletions go out one by one.
        var stopped = false
    }

    private let state = Mutex(State())

    init(queue: any MessageQueue, linger: Duration, logger: Logger) {
        self.queue = queue
        self.linger = linger
        self.logger = logger
    }

    /// Asks for a message's deletion; returns at once (or, once ``run()`` ended, after deleting it).
    func delete(_ receiptHandle: String) async {
        let (wakeUp, stopped) = state.withLock { state -> (CheckedContinuation<Void, Never>?, Bool) in
            if state.stopped { return (nil, true) }
            state.waiting.append(receiptHandle)
            defer { state.wakeUp = nil }
            return (state.wakeUp, false)
        }
        wakeUp?.resume()
        if stopped { await send([receiptHandle]) }
    }

    /// Sends what waits, without lingering, and lets ``run()`` return.
    func finish() {
        let wakeUp = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.finished = true
            defer { state.wakeUp = nil }
            return state.wakeUp
        }
        wakeUp?.resume()
    }

    /// Waits for deletions, lets others join them for `linger`, sends them; until ``finish()``.
    func run() async {
        while true {
            await waitForWork()
            if !state.withLock({ $0.finished }) {
                try? await Task.sleep(for: linger)
            }
            let (batch, done) = state.withLock { state -> ([String], Bool) in
                defer { state.waiting.removeAll() }
                return (state.waiting, state.finished)
            }
            if !batch.isEmpty { await send(batch) }
            if done {
                // A deletion asked for between the take above and here is sent as well.
                let late = state.withLock { state -> [String] in
                    state.stopped = true
                    defer { state.waiting.removeAll() }
                    return state.waiting
                }
                if !late.isEmpty { await send(late) }
                return
            }
        }
    }

    /// Returns when a deletion waits or ``finish()`` was called.
    private func waitForWork() async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if !state.waiting.isEmpty || state.finished { return true }
                state.wakeUp = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }

    private func send(_ receiptHandles: [String]) async {
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
