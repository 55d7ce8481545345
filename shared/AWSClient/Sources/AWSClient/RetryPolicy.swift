/// Bounded retries with exponential backoff and full jitter.
///
/// Attempt `n` (counting from 0 for the first retry) waits a random time in
/// `0...min(maxDelay, baseDelay * 2^n)`, which spreads retries of many clients apart.
public struct RetryPolicy: Sendable, Equatable {
    /// Total attempts, the first one included; 1 means no retries.
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int = 4, baseDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(5)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// No retries at all.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The largest wait before retry number `retry` (0-based).
    public func backoffCeiling(retry: Int) -> Duration {
        let factor = 1 << min(retry, 20)
        let ceiling = baseDelay * factor
        return ceiling < maxDelay ? ceiling : maxDelay
    }

    /// The wait before retry number `retry`, with full jitter from `generator`.
    public func delay(retry: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let ceiling = backoffCeiling(retry: retry)
        let nanoseconds = ceiling.totalNanoseconds
        guard nanoseconds > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...nanoseconds, using: &generator))
    }

    /// The wait before retry number `retry`, with system randomness.
    public func delay(retry: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(retry: retry, using: &generator)
    }
}
