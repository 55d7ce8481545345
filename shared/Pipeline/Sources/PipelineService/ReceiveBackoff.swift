import AWSClient
import ServiceLifecycle

/// The pauses of a queue consumer between failed receives, so an unreachable queue is not
/// hammered: the retry policy's jittered backoff, growing while receives keep failing and reset by
/// one that succeeds. A pause ends early on graceful shutdown (nothing is in hand then); the
/// receive itself is never cut short (docs/design.md#shutdown).
public struct ReceiveBackoff: Sendable {
    public var policy: RetryPolicy
    /// What the pauses are measured on (a manual clock in tests).
    let clock: any Clock<Duration>
    private var failures = 0

    public init(
        policy: RetryPolicy = .untilStopped(first: .milliseconds(250), longest: .seconds(2)), clock: some Clock<Duration> = ContinuousClock()
    ) {
        self.policy = policy
        self.clock = clock
    }

    /// The longest the next pause may be (it is jittered below that).
    public var nextCeiling: Duration { policy.backoffCeiling(retry: failures) }

    /// A receive answered: the next failure pauses briefly again.
    public mutating func succeeded() {
        failures = 0
    }

    /// Waits after a failed receive.
    public mutating func pause() async {
        let delay = policy.delay(retry: failures)
        failures += 1
        let clock = self.clock
        try? await cancelWhenGracefulShutdown { try await clock.sleep(for: delay) }
    }
}
