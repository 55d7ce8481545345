import Logging
import PipelineContract
import PipelineTestSupport
import Testing

@testable import Processor

@Suite struct MessageDeletionsTests {
    /// Queues `count` messages and receives them all; returns their receipt handles.
    func received(_ queue: InMemoryMessageQueue, count: Int) async throws -> [String] {
        for index in 0..<count {
            try await queue.send(body: "m\(index)", groupID: "g\(index)", deduplicationID: "d\(index)")
        }
        return try await queue.receive(maxMessages: 10, waitSeconds: 0, visibilityTimeout: 30).map(\.receiptHandle)
    }

    @Test func deletionsAskedWithinTheLingerShareOneCall() async throws {
        let queue = InMemoryMessageQueue()
        let handles = try await received(queue, count: 4)
        let clock = ManualClock()
        let deletions = MessageDeletions(queue: queue, linger: .milliseconds(200), clock: clock, logger: Logger(label: "test"))
        let running = Task { await deletions.run() }
        await deletions.delete(handles[0])
        await clock.waitForSleepers(1)  // the first deletion lingers
        for handle in handles.dropFirst() {
            clock.advance(by: .milliseconds(10))
            await deletions.delete(handle)
        }
        #expect(queue.deleteCalls.isEmpty, "nothing is sent before the linger ends")
        clock.advance(by: .milliseconds(170))
        await queue.wait { $0.bodies.isEmpty }
        #expect(queue.bodies.isEmpty)
        #expect(queue.deleteCalls == [4])
        deletions.finish()
        await running.value
    }

    @Test func finishSendsWhatWaitsAtOnceAndLaterDeletionsGoDirectly() async throws {
        let queue = InMemoryMessageQueue()
        let handles = try await received(queue, count: 3)
        let deletions = MessageDeletions(queue: queue, linger: .seconds(60), logger: Logger(label: "test"))
        let running = Task { await deletions.run() }
        await deletions.delete(handles[0])
        await deletions.delete(handles[1])
        let started = ContinuousClock.now
        deletions.finish()
        await running.value
        #expect(ContinuousClock.now - started < .seconds(10), "finish does not wait out the linger")
        #expect(queue.deleteCalls == [2])
        await deletions.delete(handles[2])
        #expect(queue.deleteCalls == [2, 1])
        #expect(queue.bodies.isEmpty)
    }

    @Test func aFailedBatchLeavesTheMessagesForRedelivery() async throws {
        let queue = InMemoryMessageQueue()
        let handles = try await received(queue, count: 2)
        queue.fail(.delete)
        let deletions = MessageDeletions(queue: queue, linger: .milliseconds(10), logger: Logger(label: "test"))
        let running = Task { await deletions.run() }
        for handle in handles { await deletions.delete(handle) }
        deletions.finish()
        await running.value
        #expect(queue.bodies.count == 2, "still in the queue: they come again after the visibility timeout")
    }

    /// The worker with batched deletions: every image processed, every message deleted by the
    /// time a graceful shutdown returns, in fewer calls than images.
    @Test func workerBatchesDeletionsAndSendsThemBeforeStopping() async throws {
        var harness = WorkerHarness()
        harness.settings.waitSeconds = 1
        harness.settings.deleteLinger = .milliseconds(300)
        let count = 6
        for index in 0..<count {
            try await harness.upload(TestPNG.make(width: 4 + index, height: 3), name: "img\(index).png")
        }
        #expect(harness.job.deletions != nil)
        try await harness.runWorker(untilEvents: count)
        #expect(try harness.events().count == count)
        #expect(harness.inputQueue.bodies.isEmpty, "every message deleted before the worker returned")
        #expect(harness.inputQueue.deleteCalls.reduce(0, +) == count)
        #expect(harness.inputQueue.deleteCalls.count < count)
    }
}
