import Logging
import PipelineContract
import PipelineTestSupport
import Testing

@testable import Processor

@Suite struct EventSendsTests {
    func message(_ index: Int) -> OutgoingMessage {
        OutgoingMessage(body: "event \(index)", groupID: "g\(index)", deduplicationID: "d\(index)")
    }

    @Test func eventsSentWithinTheLingerShareOneCallAndEachSenderHearsBack() async throws {
        let queue = InMemoryMessageQueue()
        let events = EventSends(queue: queue, linger: .milliseconds(200))
        let running = Task { await events.run() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<4 {
                group.addTask { try await events.send(message(index)) }
            }
            try await group.waitForAll()
        }
        #expect(queue.sendCalls == [4])
        #expect(Set(queue.bodies) == Set((0..<4).map { "event \($0)" }))
        events.finish()
        await running.value
    }

    /// With no other image being worked on, nothing could join: the event goes at once.
    @Test func aLoneEventGoesWithoutLingering() async throws {
        let queue = InMemoryMessageQueue()
        let events = EventSends(queue: queue, linger: .seconds(60))
        let running = Task { await events.run(othersWorking: { false }) }
        let started = ContinuousClock.now
        try await events.send(message(1))
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(queue.sendCalls == [1])
        events.finish()
        await running.value
    }

    @Test func aFailedBatchFailsEverySender() async throws {
        let queue = InMemoryMessageQueue()
        queue.fail(.send)
        let events = EventSends(queue: queue, linger: .milliseconds(10))
        let running = Task { await events.run() }
        await withTaskGroup(of: Bool.self) { group in
            for index in 0..<3 {
                group.addTask {
                    do {
                        try await events.send(message(index))
                        return false
                    } catch {
                        return error is MessageQueueError
                    }
                }
            }
            for await failed in group { #expect(failed) }
        }
        events.finish()
        await running.value
        #expect(queue.bodies.isEmpty)
    }

    @Test func afterFinishAnEventGoesOutOnItsOwn() async throws {
        let queue = InMemoryMessageQueue()
        let events = EventSends(queue: queue, linger: .seconds(60))
        let running = Task { await events.run() }
        events.finish()
        await running.value
        try await events.send(message(1))
        #expect(queue.sendCalls == [1])
        #expect(queue.bodies == ["event 1"])
    }

    /// The worker with batched events: every image's event sent, and its message deleted after
    /// it, in fewer send calls than images.
    @Test func workerBatchesEventsAndDeletesAfterThem() async throws {
        var harness = WorkerHarness()
        harness.settings.waitSeconds = 1
        harness.settings.eventLinger = .milliseconds(300)
        harness.settings.deleteLinger = .milliseconds(50)
        let count = 6
        for index in 0..<count {
            try await harness.upload(TestPNG.make(width: 4 + index, height: 5), name: "e\(index).png")
        }
        #expect(harness.job.events != nil)
        try await harness.runWorker(untilEvents: count)
        #expect(try harness.events().count == count)
        #expect(harness.processedQueue.sendCalls.reduce(0, +) == count)
        #expect(harness.processedQueue.sendCalls.count < count)
        #expect(harness.inputQueue.bodies.isEmpty, "every message deleted before the worker returned")
    }

    /// An event the queue refuses leaves the message for redelivery, as a failed send always did.
    @Test func aRefusedEventLeavesTheMessageForRedelivery() async throws {
        var harness = WorkerHarness()
        harness.settings.eventLinger = .milliseconds(20)
        try await harness.upload(TestPNG.make(width: 4, height: 4))
        harness.processedQueue.fail(.send)
        let job = harness.job
        let events = try #require(job.events)
        let running = Task { await events.run() }
        let message = try #require(try await harness.inputQueue.receive(maxMessages: 1, waitSeconds: 0, visibilityTimeout: 30).first)
        #expect(await job.handle(message) == .retry)
        events.finish()
        await running.value
        #expect(harness.inputQueue.bodies.count == 1, "the message stays for redelivery")
    }
}
