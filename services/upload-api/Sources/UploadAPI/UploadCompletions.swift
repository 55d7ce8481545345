import Logging
import ServiceLifecycle
import Synchronization

/// Storing and queueing uploads, with a deadline on what waits for S3 and SQS.
///
/// A request waits for its upload's work up to ``answerDeadline`` after its body ended (never more
/// than 30 s on S3 or SQS: docs/design.md#upload-api); past that it answers 503 with Retry-After
/// and the work is cancelled, which makes it undo what it did (delete the object, abort the
/// multipart upload) in the background here: a 503 stores and queues nothing. Which answer a
/// request gets is decided once, by an ``UploadVerdict``: the work accepts the upload once its
/// message is queued, the deadline abandons it, and whichever comes second learns it came too late.
/// A message queued after the client heard 503 (its send was under way at the deadline) is left
/// without its object, so the processor fails it instead of processing an image the client was told
/// to send again. On shutdown the work and clean-ups in hand are waited for, up to ``drainLimit``.
final class UploadCompletions: Service, Sendable {
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
    /// work that cannot be undone once done (the queueing) asks ``UploadVerdict/accept()`` and,
    /// told it is too late, undoes the rest itself.
    ///
    /// - Throws: what `work` throws, or ``DeadlinePassed`` (the work then goes on, cancelled).
    func run(after start: Gate = Gate.opened(), _ work: @escaping @Sendable (UploadVerdict) async throws -> Void) async throws {
        let outcome = Shared<Result<Void, any Error>?>(nil)
        let verdict = UploadVerdict()
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
        if await !Self.wait(upTo: answerDeadline, for: { await task.value }) {
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
        _ = await Self.wait(upTo: drainLimit) { for task in tasks { await task.value } }
        if count > 0 { logger.error("stopping with uploads still in hand", metadata: ["count": "\(count)"]) }
    }
}

extension UploadCompletions {
    /// Waits for `body` up to `limit`; returns whether it finished. Past the limit `body` goes on
    /// unobserved (awaiting a task is not cut short by cancellation, so a timer opens a gate instead).
    static func wait(upTo limit: Duration, for body: @escaping @Sendable () async -> Void) async -> Bool {
        let gate = Gate()
        let finished = Shared(false)
        Task {
            await body()
            finished.set(true)
            gate.open()
        }
        let timer = Task {
            try? await Task.sleep(for: limit)
            gate.open()
        }
        await gate.wait()
        timer.cancel()
        return finished.value
    }
}

/// The answer to one upload, decided once: accepted (202) when its message is queued in time,
/// abandoned (503) when the deadline comes first.
final class UploadVerdict: Sendable {
    private enum State { case open, accepted, abandoned }
    private let state = Mutex(State.open)

    /// The upload is queued: the answer is 202. False if the deadline came first and the client
    /// hears (or heard) 503.
    func accept() -> Bool { decide(.accepted) }

    /// The deadline: the answer is 503. False if the upload was accepted first.
    func abandon() -> Bool { decide(.abandoned) }

    private func decide(_ answer: State) -> Bool {
        state.withLock { state in
            if state == .open { state = answer }
            return state == answer
        }
    }
}

/// A value that closures share.
final class Shared<Value: Sendable>: Sendable {
    private let state: Mutex<Value>
    init(_ value: Value) { state = Mutex(value) }
    var value: Value { state.withLock { $0 } }
    func set(_ value: Value) { state.withLock { $0 = value } }
}

/// Opens once; ``wait()`` returns when it is open.
final class Gate: Sendable {
    /// A gate that is open already.
    static func opened() -> Gate {
        let gate = Gate()
        gate.open()
        return gate
    }

    private let state = Mutex<(isOpen: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.isOpen else { return [] }
            state.isOpen = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let openAlready = state.withLock { state -> Bool in
                if state.isOpen { return true }
                state.waiters.append(continuation)
                return false
            }
            if openAlready { continuation.resume() }
        }
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
