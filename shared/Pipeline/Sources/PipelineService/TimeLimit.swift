/// `body` took longer than its time limit and was cancelled.
public struct TimeLimitExceeded: Error, Sendable, CustomStringConvertible {
    public var limit: Duration
    public var description: String { "no answer within \(limit)" }
}

/// Runs `body`, cancelling it once `limit` has passed.
///
/// The call returns when `body` does: work that ignores cancellation is not cut short, which
/// is why callers pass work that honours it (the AWS transports close the connection).
/// - Throws: what `body` throws, or ``TimeLimitExceeded``.
public func withTimeLimit<Value: Sendable>(
    _ limit: Duration, _ body: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    try await withThrowingTaskGroup(of: Value?.self) { race in
        race.addTask { try await body() }
        race.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { race.cancelAll() }
        guard let first = try await race.next(), let value = first else { throw TimeLimitExceeded(limit: limit) }
        return value
    }
}
