import PipelineConcurrency
import PipelineService
import PipelineTestSupport
import Testing

@Suite struct ReadinessProbeTests {
    @Test func anAnswerIsReusedWhileFresh() async {
        let runs = Shared(0)
        let probe = ReadinessProbe(checks: [(name: "s3", run: { runs.set(runs.value + 1) })], cacheFor: .seconds(60))
        #expect(await probe.failures().isEmpty)
        #expect(await probe.failures().isEmpty)
        #expect(runs.value == 1, "the second probe was answered from the cache")
    }

    @Test func aCheckThatDoesNotAnswerInTimeHasFailed() async {
        let clock = ManualClock()
        // A check that waits (on the same clock) far longer than the limit, and honours cancellation.
        let hangs: ReadinessProbe.Check = { try await clock.sleep(until: clock.now.advanced(by: .seconds(3600)), tolerance: nil) }
        let probe = ReadinessProbe(checks: [(name: "sqs", run: hangs)], timeout: .seconds(2), clock: clock)
        let answer = Task { await probe.failures() }
        await clock.waitForSleepers(2)  // the check's time limit, and the check
        clock.advance(by: .seconds(2))
        let failures = await answer.value
        #expect(failures.map(\.name) == ["sqs"])
        #expect(failures.map(\.reason) == ["no answer within 2.0 seconds"])
    }
}
