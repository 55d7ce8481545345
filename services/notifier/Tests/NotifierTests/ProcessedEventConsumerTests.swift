import Foundation
import Logging
import PipelineTestSupport
import Prometheus
import PipelineContract
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing

@testable import Notifier

/// Events applied to the image table, deleted after, kept while the table is away, released on shutdown.
@Suite struct ProcessedEventConsumerTests {
    let ids = ["aaaaaaaa-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-000000000002", "aaaaaaaa-0000-4000-8000-000000000003"]

    @Test func consumerAppliesEventsAndDeletesThem() async throws {
        let harness = try NotifierHarness()
        try await harness.upload(ids[0], via: .queue)
        try await harness.process(ids[0], via: .queue)
        try await harness.fail(ids[1], via: .queue)
        try await harness.queue.send(body: "not json", groupID: "x", deduplicationID: "x")
        var handled = 0
        while harness.queue.bodies.count > 0 && handled < 10 {
            handled += try await harness.consumer.consumeOnce()
        }
        #expect(handled == 4)
        #expect(harness.queue.bodies.isEmpty, "events and the malformed message are all deleted")
        #expect(harness.table.items[ids[0]]?.state == .processed)
        #expect(harness.table.items[ids[1]]?.state == .failed)
        #expect(harness.dependencies.metrics.registry.emitToString().contains("notifier_malformed_events_total 1"))
        // The same event again (at-least-once delivery) changes nothing.
        let before = harness.table.writes
        let event = ImageEvent(imageID: ids[0], originalKey: "\(ids[0])_a.png", processedKey: "processed_\(ids[0])_a.png", status: .processed, width: 2, height: 2)
        try await harness.queue.send(body: try PipelineJSON.encode(event), groupID: ids[0], deduplicationID: "again")
        #expect(try await harness.consumer.consumeOnce() == 1)
        #expect(harness.table.writes == before)
        #expect(harness.queue.bodies.isEmpty)
    }

    /// The table unreachable or throttling: the events stay on the queue (deleted only after their
    /// write), the panel says the list is unavailable, and they apply once the table is back.
    @Test func eventsTheTableCannotTakeStayOnTheQueue() async throws {
        let harness = try NotifierHarness()
        try await harness.upload(ids[0], via: .queue)
        try await harness.upload(ids[1], via: .queue)
        harness.table.fail(.apply, with: .unavailable(reason: "ProvisionedThroughputExceededException"))
        var consumer = harness.consumer
        consumer.visibilityTimeout = 0  // what is not deleted is visible again at once, not in 10 s
        #expect(try await consumer.consumeOnce() == 0)
        #expect(harness.queue.bodies.count == 2, "nothing deleted")
        #expect(harness.queue.deleteCalls.isEmpty)
        #expect(await harness.dependencies.monitor.snapshot().imageListAvailable == false)
        harness.table.fail(.apply, with: nil)
        #expect(try await consumer.consumeOnce() == 2)
        #expect(harness.queue.bodies.isEmpty)
        #expect(Set(harness.table.items.keys) == [ids[0], ids[1]])
        #expect(await harness.dependencies.monitor.snapshot().imageListAvailable == true)
    }

    /// SIGTERM does not cut the long poll under way (SQS would keep it open and hide what it
    /// takes for a visibility timeout); an event it brings while stopping is released at once,
    /// not applied, and is there for the next notifier.
    @Test func eventsReceivedWhileStoppingAreReleased() async throws {
        let harness = try NotifierHarness()
        let consumer = ProcessedEventConsumer(
            queue: harness.queue, table: harness.table, monitor: harness.dependencies.monitor, metrics: harness.dependencies.metrics,
            logger: Logger(label: "test"), waitSeconds: 5
        )
        try await testGracefulShutdown { trigger in
            let running = Task { try await consumer.run() }
            while harness.queue.receiveCalls == 0 { await Task.yield() }  // in its long poll
            trigger.triggerGracefulShutdown()
            let queued = ImageEvent(imageID: ids[0], originalKey: "\(ids[0])_a.png", status: .queued)
            try await harness.queue.send(body: try PipelineJSON.encode(queued), groupID: ids[0], deduplicationID: queued.deduplicationID)
            try await running.value
        }
        #expect(harness.queue.receiveCalls == 1, "no receive after the shutdown began")
        #expect(harness.queue.visibilityChanges.map(\.timeout) == [0])
        #expect(harness.table.items[ids[0]] == nil, "the stopping notifier applied nothing")
        let again = try await harness.queue.receive(maxMessages: 10, waitSeconds: 0, visibilityTimeout: 30)
        #expect(again.map(\.receiveCount) == [2], "the event is visible again at once")
    }

    /// The notifier learns only from events: the upload API's `queued`, and the original Python
    /// worker's three-field event, which means `processed` (of the owner `local`).
    @Test func queuedAndLegacyEventsAreAppliedWithoutListing() async throws {
        let harness = try NotifierHarness()
        let queued = ImageEvent(imageID: ids[0], originalKey: "\(ids[0])_a.png", status: .queued, size: 42, uploadedAt: "2026-11-29T01:20:36.500Z")
        try await harness.queue.send(body: try PipelineJSON.encode(queued), groupID: ids[0], deduplicationID: queued.deduplicationID)
        let legacy = #"{"image_id": "\#(ids[1])", "original_key": "\#(ids[1])_b.png", "processed_key": "processed_\#(ids[1])_b.png"}"#
        try await harness.queue.send(body: legacy, groupID: ids[1], deduplicationID: "legacy")
        var handled = 0
        while harness.queue.bodies.count > 0 && handled < 10 {
            handled += try await harness.consumer.consumeOnce()
        }
        let first = try #require(harness.table.items[ids[0]])
        #expect(first.state == .queued)
        #expect(first.originalSize == 42)
        #expect(first.uploadedAt == Date(timeIntervalSince1970: 1_795_915_236.5))
        let second = try #require(harness.table.items[ids[1]])
        #expect(second.state == .processed && second.owner == "local")
        #expect(second.processedKey == "processed_\(ids[1])_b.png")
        #expect(harness.input.calls.isEmpty, "no bucket was listed")
        #expect(harness.processed.calls.isEmpty, "no bucket was listed")
    }
}
