import PipelineConcurrency
import PipelineTestSupport
import Testing

@Suite struct ManualClockTests {
    @Test func sleepersWakeWhenTimeIsMovedPastTheirDeadline() async throws {
        let clock = ManualClock()
        let woke = Shared<[Int]>([])
        let early = Task {
            try await clock.sleep(until: clock.now.advanced(by: .seconds(1)), tolerance: nil)
            woke.set(woke.value + [1])
        }
        await clock.waitForSleepers(1)
        let late = Task {
            try await clock.sleep(until: clock.now.advanced(by: .seconds(5)), tolerance: nil)
            woke.set(woke.value + [5])
        }
        await clock.waitForSleepers(2)
        clock.advance(by: .seconds(2))
        try await early.value
        #expect(woke.value == [1])
        #expect(clock.sleepers == 1)
        clock.advance(by: .seconds(3))
        try await late.value
        #expect(woke.value == [1, 5])
        #expect(clock.now.offset == .seconds(5))
    }

    @Test func aDeadlineThatHasPassedDoesNotSleep() async throws {
        let clock = ManualClock()
        clock.advance(by: .seconds(10))
        try await clock.sleep(until: clock.now.advanced(by: .seconds(-1)), tolerance: nil)
        #expect(clock.sleepers == 0)
    }

    @Test func aCancelledSleepThrowsAtOnce() async {
        let clock = ManualClock()
        let sleeping = Task { try await clock.sleep(until: clock.now.advanced(by: .seconds(60)), tolerance: nil) }
        await clock.waitForSleepers(1)
        sleeping.cancel()
        await #expect(throws: CancellationError.self) { try await sleeping.value }
        #expect(clock.sleepers == 0)
    }
}
