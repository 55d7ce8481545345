import AWSClient
import PipelineService
import PipelineTestSupport
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing

@Suite struct ReceiveBackoffTests {
    @Test func pausesGrowWhileReceivesFailAndShrinkAfterASuccess() async {
        let clock = ManualClock()
        var backoff = ReceiveBackoff(policy: .untilStopped(first: .seconds(1), longest: .seconds(4)), clock: clock)
        var ceilings: [Duration] = []
        for _ in 0..<4 {
            ceilings.append(backoff.nextCeiling)
            await Self.failed(&backoff, clock: clock)
        }
        #expect(ceilings == [.seconds(1), .seconds(2), .seconds(4), .seconds(4)])
        backoff.succeeded()
        #expect(backoff.nextCeiling == .seconds(1))
    }

    /// Counts a failure on `backoff` with a pause that the clock ends at once.
    static func failed(_ backoff: inout ReceiveBackoff, clock: ManualClock) async {
        async let advanced: Void = {
            await clock.waitForSleepers(1)
            clock.advance(by: .seconds(4))
        }()
        await backoff.pause()
        await advanced
    }

    @Test func aPauseEndsOnGracefulShutdown() async throws {
        let clock = ManualClock()
        let backoff = ReceiveBackoff(policy: .untilStopped(first: .seconds(3600), longest: .seconds(3600)), clock: clock)
        await testGracefulShutdown { trigger in
            let pausing = Task {
                var copy = backoff
                await copy.pause()
            }
            await clock.waitForSleepers(1)
            trigger.triggerGracefulShutdown()
            await pausing.value  // returns without the clock moving
        }
        #expect(clock.now.offset == .zero)
    }
}
