import AWSClient
import PipelineConcurrency
import PipelineService
import PipelineTestSupport
import Testing

@Suite struct RetryPolicyRetryingTests {
    struct Flaky: Error {}
    struct Refused: Error {}

    @Test func aFailureIsTriedAgainAfterAPauseOnTheClock() async throws {
        let clock = ManualClock()
        let attempts = Shared(0)
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: .seconds(1), maxDelay: .seconds(1))
        let result = Task {
            try await policy.retrying(clock: clock) {
                attempts.set(attempts.value + 1)
                if attempts.value < 3 { throw Flaky() }
                return "done"
            }
        }
        // Full jitter: a pause may be zero, so time is moved on until the work is done.
        while attempts.value < 3 {
            if clock.sleepers > 0 { clock.advance(by: .seconds(1)) }
            await Task.yield()
        }
        #expect(try await result.value == "done")
        #expect(clock.now.offset <= .seconds(2), "two pauses of at most the ceiling")
    }

    @Test func aRefusalEndsAtOnceAndEveryFailureIsHeard() async {
        var heard: [Int] = []
        await #expect(throws: Refused.self) {
            try await RetryPolicy.untilStopped().retrying(if: { !($0 is Refused) }, onFailure: { _, attempt in heard.append(attempt) }) {
                throw Refused()
            }
        }
        #expect(heard == [1])
    }

    @Test func attemptsRunOut() async {
        let attempts = Shared(0)
        await #expect(throws: Flaky.self) {
            try await RetryPolicy(maxAttempts: 3, baseDelay: .zero, maxDelay: .zero).retrying {
                attempts.set(attempts.value + 1)
                throw Flaky()
            }
        }
        #expect(attempts.value == 3)
    }

    @Test func noAttemptStartsPastTheTimeLimit() async {
        let clock = ManualClock()
        let attempts = Shared(0)
        let policy = RetryPolicy(maxAttempts: .max, baseDelay: .seconds(10), maxDelay: .seconds(10))
        let running = Task {
            try await policy.retrying(clock: clock, giveUpAfter: .seconds(5)) {
                attempts.set(attempts.value + 1)
                clock.advance(by: .seconds(6))  // the attempt outlasts the limit
                throw Flaky()
            }
        }
        await #expect(throws: Flaky.self) { try await running.value }
        #expect(attempts.value == 1)
    }

    @Test func aCancelledPauseThrows() async {
        let clock = ManualClock()
        let running = Task { try await RetryPolicy(maxAttempts: .max, baseDelay: .seconds(60), maxDelay: .seconds(60)).retrying(clock: clock) { throw Flaky() } }
        // The first pause may be zero (full jitter); wait for a sleeper that is not.
        while clock.sleepers == 0 { clock.advance(by: .zero); await Task.yield() }
        running.cancel()
        await #expect(throws: CancellationError.self) { try await running.value }
    }
}
