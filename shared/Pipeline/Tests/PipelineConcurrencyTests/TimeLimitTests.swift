import PipelineConcurrency
import PipelineTestSupport
import Testing

@Suite struct TimeLimitTests {
    @Test func aBodyInTimeGivesItsValue() async throws {
        let clock = ManualClock()
        #expect(try await withTimeLimit(.seconds(5), clock: clock) { 7 } == 7)
    }

    @Test func aBodyPastTheLimitIsCancelled() async {
        let clock = ManualClock()
        let cancelled = Shared(false)
        let limited = Task {
            try await withTimeLimit(.seconds(5), clock: clock) {
                do {
                    try await clock.sleep(until: clock.now.advanced(by: .seconds(60)), tolerance: nil)
                } catch {
                    cancelled.set(true)
                    throw error
                }
            }
        }
        await clock.waitForSleepers(2)  // the body and the timer
        clock.advance(by: .seconds(5))
        await #expect(throws: TimeLimitExceeded.self) { try await limited.value }
        #expect(cancelled.value)
    }

    @Test func waitAtMostSaysWhetherTheBodyFinished() async {
        let clock = ManualClock()
        #expect(await waitAtMost(.seconds(5), clock: clock) {})
        let release = Gate()
        let finished = Shared(false)
        let waiting = Task {
            await waitAtMost(.seconds(5), clock: clock) {
                await release.wait()
                finished.set(true)
            }
        }
        await clock.waitForSleepers(1)  // the timer
        clock.advance(by: .seconds(5))
        #expect(await waiting.value == false)
        #expect(!finished.value, "the body is not waited for")
        release.open()
    }
}
