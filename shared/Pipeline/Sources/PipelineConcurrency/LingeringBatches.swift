import Synchronization

/// Items that wait up to `linger` for others and then go out together: the processor's batched
/// deletions and batched events (docs/performance.md#batched-deletes-and-events-processor).
///
/// ``add(_:)`` returns at once. ``run()`` hands each batch to `send`; it returns once ``finish()``
/// was called and nothing waits. After that, ``add(_:)`` refuses the item and the caller sends it
/// on its own.
public final class LingeringBatches<Item: Sendable>: Sendable {
    public let linger: Duration
    private let clock: any Clock<Duration>
    private let send: @Sendable ([Item]) async -> Void

    private struct State {
        var waiting: [Item] = []
        var wakeUp: CheckedContinuation<Void, Never>?
        var finished = false
        /// Set when ``run()`` returned.
        var stopped = false
    }

    private let state = Mutex(State())

    /// - Parameters:
    ///   - clock: what `linger` is measured on (a manual clock in tests).
    ///   - send: hands a batch on; called from ``run()`` only, one batch at a time.
    public init(linger: Duration, clock: some Clock<Duration> = ContinuousClock(), send: @escaping @Sendable ([Item]) async -> Void) {
        self.linger = linger
        self.clock = clock
        self.send = send
    }

    /// Queues `item` for the next batch; false once ``run()`` has ended (send it yourself).
    public func add(_ item: Item) -> Bool {
        let (accepted, wakeUp) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            if state.stopped { return (false, nil) }
            state.waiting.append(item)
            defer { state.wakeUp = nil }
            return (true, state.wakeUp)
        }
        wakeUp?.resume()
        return accepted
    }

    /// Sends what waits, without lingering, and lets ``run()`` return.
    public func finish() {
        let wakeUp = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.finished = true
            defer { state.wakeUp = nil }
            return state.wakeUp
        }
        wakeUp?.resume()
    }

    /// Waits for items, lets others join them for `linger`, sends them; until ``finish()``.
    ///
    /// - Parameter othersMayJoin: asked when an item comes; false sends it without lingering
    ///   (nothing else is on its way).
    public func run(othersMayJoin: @Sendable () -> Bool = { true }) async {
        while true {
            await waitForWork()
            if !state.withLock({ $0.finished }), othersMayJoin() {
                try? await clock.sleep(for: linger)
            }
            let (batch, done) = state.withLock { state -> ([Item], Bool) in
                defer { state.waiting.removeAll() }
                return (state.waiting, state.finished)
            }
            if !batch.isEmpty { await send(batch) }
            if done {
                // An item added between the take above and here is sent as well.
                let late = state.withLock { state -> [Item] in
                    state.stopped = true
                    defer { state.waiting.removeAll() }
                    return state.waiting
                }
                if !late.isEmpty { await send(late) }
                return
            }
        }
    }

    /// Returns when an item waits or ``finish()`` was called.
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
}
