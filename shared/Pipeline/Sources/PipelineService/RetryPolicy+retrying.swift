import AWSClient

extension RetryPolicy {
    /// Runs `operation` until it succeeds. A failure that `shouldRetry` accepts is tried again after
    /// the policy's jittered backoff on `clock`, up to ``maxAttempts`` and, with `limit`, only while
    /// the next attempt would start within that time of the first. `onFailure` hears of every failed
    /// attempt (numbered from 1), for logs. The pauses honour cancellation.
    ///
    /// - Throws: the last failure, or `CancellationError` when cancelled during a pause.
    public func retrying<Value>(
        clock: some Clock<Duration> = ContinuousClock(),
        giveUpAfter limit: Duration? = nil,
        if shouldRetry: (any Error) -> Bool = { _ in true },
        onFailure: (any Error, Int) -> Void = { _, _ in },
        _ operation: () async throws -> Value
    ) async throws -> Value {
        let start = clock.now
        var attempt = 1
        while true {
            do {
                return try await operation()
            } catch {
                onFailure(error, attempt)
                guard attempt < maxAttempts, shouldRetry(error) else { throw error }
                let pause = delay(retry: attempt - 1)
                if let limit, start.duration(to: clock.now) + pause >= limit { throw error }
                try await clock.sleep(for: pause)
                attempt += 1
            }
        }
    }

    /// Retries for as long as it takes, pauses growing from `first` to `longest` (with jitter):
    /// for work that only a deadline, a cancellation or a refusal ends.
    public static func untilStopped(first: Duration = .milliseconds(250), longest: Duration = .seconds(2)) -> RetryPolicy {
        RetryPolicy(maxAttempts: .max, baseDelay: first, maxDelay: longest)
    }
}
