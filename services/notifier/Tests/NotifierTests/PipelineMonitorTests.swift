import Foundation
import Logging
import PipelineContract
import PipelineTestSupport
import Testing

@testable import Notifier

@Suite struct PipelineMonitorTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)  // a whole minute

    func monitor(_ input: InMemoryMessageQueue, _ deadLetters: [InMemoryMessageQueue] = []) -> PipelineMonitor {
        PipelineMonitor(inputQueue: input, deadLetterQueues: deadLetters, pollInterval: .seconds(5), logger: Logger(label: "test"))
    }

    @Test func depthsComeFromOnePollPerQueue() async throws {
        let input = InMemoryMessageQueue(name: "in.fifo")
        let dlq = InMemoryMessageQueue(name: "in-dlq.fifo")
        for i in 0..<3 { try await input.send(body: "\(i)", groupID: "g\(i)", deduplicationID: "d\(i)") }
        _ = try await input.receive(maxMessages: 1, waitSeconds: 0, visibilityTimeout: 30)
        try await dlq.send(body: "x", groupID: "g", deduplicationID: "x")
        let monitor = monitor(input, [dlq])

        var snapshot = await monitor.snapshot(at: t0)
        #expect(snapshot.input.visible == nil, "unknown before the first poll")
        await monitor.poll(at: t0)
        snapshot = await monitor.snapshot(at: t0)
        #expect(snapshot.input == .init(name: "in.fifo", visible: 2, inFlight: 1, error: nil))
        #expect(snapshot.deadLetter == [.init(name: "in-dlq.fifo", messages: 1, error: nil)])

        dlq.fail(.depth)
        await monitor.poll(at: t0)
        snapshot = await monitor.snapshot(at: t0)
        #expect(snapshot.deadLetter.first?.messages == nil, "no stale number for a queue that cannot be read")
        #expect(snapshot.deadLetter.first?.error?.contains("in-dlq.fifo") == true)
        #expect(snapshot.input.visible == 2)
    }

    @Test func outcomesPerMinuteOverTheWindow() async {
        let monitor = monitor(InMemoryMessageQueue())
        await monitor.noteOutcome(.processed, of: "a", at: t0.addingTimeInterval(-14 * 60))  // the oldest minute of the window
        await monitor.noteOutcome(.processed, of: "b", at: t0.addingTimeInterval(-15 * 60))  // just outside
        await monitor.noteOutcome(.failed, of: "c", at: t0.addingTimeInterval(-90))
        for second in [5.0, 20, 50] { await monitor.noteOutcome(.processed, of: "d\(second)", at: t0.addingTimeInterval(second)) }
        await monitor.noteOutcome(.queued, of: "e", at: t0)
        // The stream tells a change again, and later changes repeat the state: counted once.
        await monitor.noteOutcome(.processed, of: "d5.0", at: t0.addingTimeInterval(6))

        var snapshot = await monitor.snapshot(at: t0.addingTimeInterval(59))
        #expect(snapshot.processedPerMinute.count == 15)
        #expect(snapshot.processedPerMinute.first == 1)
        #expect(snapshot.processedPerMinute.last == 3)
        #expect(snapshot.failedPerMinute[12] == 1)
        #expect(snapshot.processedInWindow == 4)
        #expect(snapshot.failedInWindow == 1)
        #expect(snapshot.processedLastMinute == 3)

        // 30 s later the rolling minute has lost the first two, and the window has moved on.
        snapshot = await monitor.snapshot(at: t0.addingTimeInterval(89))
        #expect(snapshot.processedLastMinute == 1)
        #expect(snapshot.processedPerMinute.first == 0)
        #expect(snapshot.processedPerMinute[13] == 3)
        #expect(snapshot.processedInWindow == 3)
    }

    @Test func subscribersGetTheSnapshotThenOnlyChanges() async throws {
        let input = InMemoryMessageQueue()
        let monitor = monitor(input)
        let subscription = await monitor.subscribe()
        var frames = subscription.stream.makeAsyncIterator()
        #expect(await frames.next()?.processedInWindow == 0)
        await monitor.publishIfChanged()
        await monitor.publishIfChanged()  // the same numbers: not sent again
        #expect(await frames.next()?.processedInWindow == 0, "the first publish")
        await monitor.noteOutcome(.processed, of: "a")
        await monitor.publishIfChanged()
        #expect(await frames.next()?.processedInWindow == 1)
        await monitor.unsubscribe(subscription.id)
        #expect(await frames.next() == nil)
    }
}
