import Foundation
import Hummingbird
import HummingbirdTesting
import PipelineContract
import PipelineService
import PipelineTestSupport
import Testing

@testable import UploadAPI

/// The answer deadline: S3 or SQS slower than it gets 503 + Retry-After in time, and the upload
/// is undone behind the answer.
@Suite struct UploadsInFlightTests {
    let png = TestPNG.make(width: 4, height: 3)

    /// S3 slower than the deadline: the client hears 503 + Retry-After in time, and the upload is
    /// undone behind it, so a 503 stores and queues nothing.
    @Test func aSlowStoreAnswers503InTimeAndLeavesNothing() async throws {
        var harness = try UploadHarness()
        harness.answerDeadline = .milliseconds(300)
        harness.store.delay(.put, by: .milliseconds(2500))
        let form = Multipart.image(png)
        let started = ContinuousClock.now
        try await harness.send(headers: form.headers, body: form.body) { response in
            // Measured here: the application's shutdown after the test waits for the clean-up.
            #expect(ContinuousClock.now - started < .milliseconds(2000), "answered at the deadline, not when S3 answered")
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] != nil)
            let answer = try json(response)
            #expect(answer["error"] == "unavailable")
        }
        // The application's shutdown at the end of `send` waited for the clean-up behind the 503.
        #expect(harness.store.keys.isEmpty)
        #expect(harness.queue.bodies.isEmpty)
        #expect(harness.events.bodies.isEmpty)
    }

    /// A queue slower than the deadline: 503, and the object already stored is deleted again.
    @Test func aSlowQueueAnswers503AndTheObjectIsDeleted() async throws {
        var harness = try UploadHarness()
        harness.answerDeadline = .milliseconds(300)
        harness.queue.delay(.send, by: .milliseconds(2500))
        let form = Multipart.image(png)
        try await harness.send(headers: form.headers, body: form.body) { response in
            #expect(response.status == .serviceUnavailable)
        }
        #expect(harness.store.keys.isEmpty)
        #expect(harness.queue.bodies.isEmpty)
    }

    /// The queue unreachable past the deadline: 503 in time, and the object is deleted again.
    @Test func aQueueDownPastTheDeadlineAnswers503AndLeavesNoObject() async throws {
        var harness = try UploadHarness()
        harness.answerDeadline = .milliseconds(800)
        harness.queue.fail(.send)
        let form = Multipart.image(png)
        try await harness.send(headers: form.headers, body: form.body) { response in
            #expect(response.status == .serviceUnavailable)
        }
        #expect(harness.store.keys.isEmpty)
        #expect(harness.queue.bodies.isEmpty)
        #expect(harness.queue.sendAttempts > 1, "tried again before the deadline")
        #expect(harness.events.bodies.isEmpty)
    }

    /// A send on the wire at the deadline that gets through after it: the client heard 503, so
    /// the object goes and no queued event is sent; the processor fails the message.
    @Test func aMessageQueuedAfterTheDeadlineLosesItsObject() async throws {
        var harness = try UploadHarness()
        harness.answerDeadline = .milliseconds(300)
        harness.queue.delay(.send, by: .milliseconds(900), ignoringCancellation: true)
        let form = Multipart.image(png)
        try await harness.send(headers: form.headers, body: form.body) { response in
            #expect(response.status == .serviceUnavailable)
        }
        #expect(harness.queue.bodies.count == 1, "the send got through")
        #expect(harness.store.keys.isEmpty)
        #expect(harness.events.bodies.isEmpty)
    }
}
