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
        let worker = ImageWorker(queue: harness.inputQueue, job: harness.job, settings: harness.settings, logger: Logger(label: "test"))
        let group = ServiceGroup(services: [worker], gracefulShutdownSignals: [], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let deadline = ContinuousClock.now + .seconds(20)
            while try harness.events().count < count, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
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
            try await Task.sleep(for: .milliseconds(200))  // the worker is in its long poll
            trigger.triggerGracefulShutdown()
            try await harness.upload(TestPNG.make(width: 3, height: 3), name: "late.png")
            try await running.value
        }
        #expect(try harness.events().isEmpty, "nothing was processed after the shutdown began")
        #expect(harness.inputQueue.visibilityChanges.map(\.timeout) == [0])
        let again = try #require(try await harness.receiveOne(), "the message is visible again at once")
        #expect(again.receiveCount == 2)
    }

    @Test func slotsBoundConcurrency() async {
        let slots = Slots(2)
        #expect(await slots.waitForFree() == 2)
        slots.take()
        slots.take()
        #expect(slots.free == 0)
        let waiter = Task { await slots.waitForFree() }
        try? await Task.sleep(for: .milliseconds(50))
        slots.release()
        #expect(await waiter.value == 1)
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
