/// `body` took longer than its time limit and was cancelled.
public struct TimeLimitExceeded: Error, Sendable, CustomStringConvertible {
    public var limit: Duration
    public init(limit: Duration) { self.limit = limit }
    public var description: String { "no answer within \(limit)" }
}

/// Runs `body`, cancelling it once `limit` has passed on `clock`.
///
/// The call returns when `body` does: work that ignores cancellation is not cut short, which is
/// why callers pass work that honours it (the AWS transports close the connection). To stop
/// waiting without waiting for the work, use ``waitAtMost(_:clock:for:)``.
/// - Throws: what `body` throws, or ``TimeLimitExceeded``.
public func withTimeLimit<Value: Sendable>(
    _ limit: Duration, clock: some Clock<Duration> = ContinuousClock(), _ body: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    try await withThrowingTaskGroup(of: Value?.self) { race in
        race.addTask { try await body() }
        race.addTask {
            try await clock.sleep(for: limit)
            return nil
        }
        defer { race.cancelAll() }
        guard let first = try await race.next(), let value = first else { throw TimeLimitExceeded(limit: limit) }
        return value
    }
}

/// Waits for `body` up to `limit` on `clock`; returns whether it finished in time. Unlike
/// ``withTimeLimit(_:clock:_:)``, nothing is cancelled: past the limit `body` goes on, unobserved
/// (a request stops waiting for its upload's work, which then undoes itself in the background).
public func waitAtMost(_ limit: Duration, clock: some Clock<Duration> = ContinuousClock(), for body: @escaping @Sendable () async -> Void) async -> Bool {
    let gate = Gate()
    let finished = Shared(false)
    Task {
        await body()
        finished.set(true)
        gate.open()
    }
    // Awaiting a task is not cut short by cancellation, so a timer opens the gate instead.
    let timer = Task {
        try? await clock.sleep(for: limit)
        gate.open()
    }
    await gate.wait()
    timer.cancel()
    return finished.value
}
