import Logging
import PipelineConcurrency
import ServiceLifecycle
import Synchronization

/// The uploads being stored and queued now, each with a deadline on what waits for S3 and SQS.
///
/// A request waits for its upload's work up to ``answerDeadline`` after its body ended (never more
/// than 30 s on S3 or SQS: docs/design.md#upload-api); past that it answers 503 with Retry-After
/// and the work is cancelled, which makes it undo what it did (delete the object, abort the
/// multipart upload) in the background here: a 503 stores and queues nothing. Which answer a
/// request gets is decided once, by an ``Verdict``: the work accepts the upload once its
/// message is queued, the deadline abandons it, and whichever comes second learns it came too late.
/// A message queued after the client heard 503 (its send was under way at the deadline) is left
/// without its object, so the processor fails it instead of processing an image the client was told
/// to send again. On shutdown the work and clean-ups in hand are waited for, up to ``drainLimit``.
final class UploadsInFlight: Service, Sendable {
    /// The longest a request waits for S3 and SQS.
    let answerDeadline: Duration
    /// The longest shutdown waits for work in hand.
    let drainLimit: Duration
    let logger: Logger
    private let inHand = Mutex<[Int: Task<Void, Never>]>([:])
    private let nextID = Atomic<Int>(0)

    init(answerDeadline: Duration = .seconds(30), drainLimit: Duration = .seconds(20), logger: Logger) {
        self.answerDeadline = answerDeadline
        self.drainLimit = drainLimit
        self.logger = logger
    }

    /// The deadline passed with the work still under way.
    struct DeadlinePassed: Error {}

    /// Runs `work` and waits for it: as long as it takes until `start` opens (the request's body
    /// has ended), then up to the deadline. Work that returns in time has its upload accepted;
    /// work that cannot be undone once done (the queueing) asks ``Verdict/accept()`` and,
    /// told it is too late, undoes the rest itself.
    ///
    /// - Throws: what `work` throws, or ``DeadlinePassed`` (the work then goes on, cancelled).
    func run(after start: Gate = Gate.opened(), _ work: @escaping @Sendable (Verdict) async throws -> Void) async throws {
        let outcome = Shared<Result<Void, any Error>?>(nil)
        let verdict = Verdict()
        let id = nextID.wrappingAdd(1, ordering: .relaxed).newValue
        // Made under the lock, so the task cannot finish (and remove itself) before it is recorded.
        let task = inHand.withLock { inHand in
            let task = Task {
                let result = await Result { try await work(verdict) }
                outcome.set(result)
                start.open()  // the body has ended by now, one way or another
                self.finished(id)
            }
            inHand[id] = task
            return task
        }
        await start.wait()
        if await !waitAtMost(answerDeadline, for: { await task.value }) {
            // Accepted just before the deadline (what follows the queueing is still under way): 202.
            guard verdict.abandon() else { return }
            task.cancel()  // it cleans up after itself, still in hand until done
            throw DeadlinePassed()
        }
        switch outcome.value {
        case .success?: return
        case .failure(let error)?: throw error
        case nil: throw DeadlinePassed()
        }
    }

    private func finished(_ id: Int) {
        _ = inHand.withLock { $0.removeValue(forKey: id) }
    }

    /// How many uploads are still being stored or queued.
    var count: Int { inHand.withLock { $0.count } }

    func run() async throws {
        try? await gracefulShutdown()
        let tasks = inHand.withLock { Array($0.values) }
        guard !tasks.isEmpty else { return }
        logger.info("finishing uploads in hand before stopping", metadata: ["count": "\(tasks.count)"])
        _ = await waitAtMost(drainLimit) { for task in tasks { await task.value } }
        if count > 0 { logger.error("stopping with uploads still in hand", metadata: ["count": "\(count)"]) }
    }
}

extension Result where Failure == any Error {
    /// The result of an async throwing body.
    init(catching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
