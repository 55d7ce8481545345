import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PipelineContract
import PipelineTestSupport
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing

@testable import Processor

@Suite struct ImageWorkerTests {
    @Test func workerProcessesEverythingAndDrainsOnGracefulShutdown() async throws {
        var harness = WorkerHarness()
        harness.settings.waitSeconds = 1
        let count = 7
        for index in 0..<count {
            try await harness.upload(TestPNG.make(width: 5 + index, height: 4, pixel: gradient), name: "img\(index).png")
        }
        try await harness.runWorker(untilEvents: count)
        #expect(try harness.events().count == count)
        #expect(Set(try harness.events().map(\.status)) == [.processed])
        #expect(harness.inputQueue.bodies.isEmpty)
    }

    /// A message that arrives in the long poll under way when SIGTERM comes is released at once,
    /// not left invisible for a visibility timeout.
    @Test func messagesReceivedWhileStoppingAreReleased() async throws {
        var harness = WorkerHarness()
        harness.settings.waitSeconds = 3
        let worker = ImageWorker(queue: harness.inputQueue, job: harness.job, settings: harness.settings, logger: Logger(label: "test"))
        // The test kit's trigger flips the shutdown flag at once (a ServiceGroup does it a moment
        // later, and a message could arrive before it did).
        try await testGracefulShutdown { trigger in
            let running = Task { try await worker.run() }
            await harness.inputQueue.wait { $0.receiveCalls > 0 }  // the worker is in its long poll
            trigger.triggerGracefulShutdown()
            try await harness.upload(TestPNG.make(width: 3, height: 3), name: "late.png")
            try await running.value
        }
        #expect(try harness.events().isEmpty, "nothing was processed after the shutdown began")
        #expect(harness.inputQueue.visibilityChanges.map(\.timeout) == [0])
        let again = try #require(try await harness.receiveOne(), "the message is visible again at once")
        #expect(again.receiveCount == 2)
    }

    /// A receive brings up to `prefetch` messages beyond the free slots: fewer receives than images.
    @Test func prefetchSavesReceiveCalls() async throws {
        var harness = WorkerHarness()
        harness.settings.waitSeconds = 1
        harness.settings.concurrency = 1
        harness.settings.prefetch = 2
        let count = 6
        for index in 0..<count {
            try await harness.upload(TestPNG.make(width: 3 + index, height: 3), name: "p\(index).png")
        }
        try await harness.runWorker(untilEvents: count)
        #expect(try harness.events().count == count)
        #expect(harness.inputQueue.bodies.isEmpty)
        // Three messages a receive: two receives bring the six, and a long poll may be under way.
        #expect(harness.inputQueue.receiveCalls <= 3)
    }

    /// Messages held for a slot when SIGTERM comes are released at once, not left invisible.
    @Test func heldMessagesAreReleasedOnShutdown() async throws {
        var harness = WorkerHarness()
        harness.settings.waitSeconds = 1
        harness.settings.concurrency = 1
        harness.settings.prefetch = 2
        harness.slowInput = .milliseconds(600)
        for index in 0..<3 {
            try await harness.upload(TestPNG.make(width: 3, height: 3 + index), name: "h\(index).png")
        }
        let worker = ImageWorker(queue: harness.inputQueue, job: harness.job, settings: harness.settings, logger: Logger(label: "test"))
        try await testGracefulShutdown { trigger in
            let running = Task { try await worker.run() }
            // One image in work (its object being read), two held.
            #expect(await harness.inputBucket.wait { $0.calls.contains { $0.hasPrefix("get ") } })
            trigger.triggerGracefulShutdown()
            try await running.value
        }
        #expect(try harness.events().count == 1, "the image in work is finished")
        #expect(harness.inputQueue.visibilityChanges.map(\.timeout) == [0, 0])
        let again = try await harness.inputQueue.receive(maxMessages: 10, waitSeconds: 0, visibilityTimeout: 30)
        #expect(again.count == 2, "both held messages are visible again at once")
    }

    /// A held message that waited longer than a heartbeat interval is hidden for a whole
    /// visibility timeout again before its work starts.
    @Test func aLongHeldMessageIsHiddenAgainBeforeItsWork() async throws {
        var harness = WorkerHarness()
        harness.settings = ProcessorSettings(concurrency: 1, visibilityTimeout: 3, maxPixels: 1_000_000, maxImageBytes: 1 << 20, prefetch: 1)
        harness.settings.waitSeconds = 1
        harness.slowInput = .milliseconds(1_500)  // the first image holds the slot 1.5 s; heartbeats every 1 s
        for index in 0..<2 {
            try await harness.upload(TestPNG.make(width: 3, height: 3 + index), name: "w\(index).png")
        }
        try await harness.runWorker(untilEvents: 2)
        #expect(try harness.events().count == 2)
        // The first: one heartbeat (at 1 s). The second: hidden again as it starts (at 1.5 s),
        // then its own heartbeat (at 2.5 s).
        let changes = Dictionary(grouping: harness.inputQueue.visibilityChanges, by: \.handle).mapValues { $0.map(\.timeout) }
        #expect(changes.values.sorted { $0.count < $1.count } == [[3], [3, 3]])
    }

    @Test func operationalRoutes() async throws {
        let harness = WorkerHarness()
        let app = Application(router: buildRouter(dependencies: harness.dependencies))
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in #expect(response.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { response in #expect(response.status == .ok) }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("processor_images_in_flight"))
                #expect(text.contains("processor_processing_seconds"))
            }
        }
        harness.processedQueue.fail(.reachability)
        let notReady = Application(router: buildRouter(dependencies: harness.dependencies))
        try await notReady.test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("sqs-processed"))
            }
        }
    }
}
