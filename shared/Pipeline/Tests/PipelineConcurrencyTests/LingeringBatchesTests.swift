import PipelineConcurrency
import PipelineTestSupport
import Testing

@Suite struct LingeringBatchesTests {
    @Test func itemsThatComeWithinTheLingerGoTogether() async {
        let clock = ManualClock()
        let sent = Shared<[[Int]]>([])
        let batches = LingeringBatches<Int>(linger: .milliseconds(250), clock: clock) { sent.set(sent.value + [$0]) }
        let running = Task { await batches.run() }
        #expect(batches.add(1))
        await clock.waitForSleepers(1)  // lingering for others
        #expect(batches.add(2))
        #expect(batches.add(3))
        #expect(sent.value.isEmpty, "nothing goes before the linger ends")
        clock.advance(by: .milliseconds(250))
        batches.finish()
        await running.value
        #expect(sent.value == [[1, 2, 3]])
    }

    @Test func aLoneItemGoesAtOnceWhenNoOtherMayJoin() async {
        let clock = ManualClock()
        let sent = Shared<[[Int]]>([])
        let batches = LingeringBatches<Int>(linger: .seconds(60), clock: clock) { sent.set(sent.value + [$0]) }
        let running = Task { await batches.run(othersMayJoin: { false }) }
        #expect(batches.add(1))
        batches.finish()
        await running.value
        #expect(sent.value == [[1]])
        #expect(clock.now.offset == .zero, "no time passed")
    }

    @Test func finishSendsWhatWaitsAndLaterItemsAreRefused() async {
        let clock = ManualClock()
        let sent = Shared<[[Int]]>([])
        let batches = LingeringBatches<Int>(linger: .seconds(60), clock: clock) { sent.set(sent.value + [$0]) }
        let running = Task { await batches.run() }
        #expect(batches.add(1))
        await clock.waitForSleepers(1)
        batches.finish()  // does not cut the linger under way short
        #expect(sent.value.isEmpty)
        clock.advance(by: .seconds(60))
        await running.value
        #expect(sent.value.flatMap { $0 } == [1])
        #expect(!batches.add(2), "after run() ended, the caller sends it itself")
    }
}
