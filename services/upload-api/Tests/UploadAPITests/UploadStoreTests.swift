import Foundation
import Hummingbird
import HummingbirdTesting
import PipelineContract
import PipelineService
import PipelineTestSupport
import Testing

@testable import UploadAPI

/// Each step of an upload with its retries: a send tried again, an answer lost, an event not sent.
@Suite struct UploadStoreTests {
    let png = TestPNG.make(width: 4, height: 3)

    /// The queue unreachable for a moment: the send is tried again and the upload accepted.
    @Test func aQueueBackBeforeTheDeadlineIsTriedAgainAndAccepted() async throws {
        let harness = try UploadHarness()
        let queue = harness.queue
        queue.fail(.send)
        let recovery = Task {
            await queue.wait { $0.sendAttempts >= 2 }  // failed, and tried again
            queue.fail(.send, with: nil)
        }
        let form = Multipart.image(png)
        try await harness.send(headers: form.headers, body: form.body) { response in
            #expect(response.status == .accepted)
        }
        try await recovery.value
        #expect(harness.store.keys.count == 1)
        #expect(harness.queue.bodies.count == 1)
        #expect(harness.events.bodies.count == 1, "the queued event")
    }

    /// A send done whose answer was lost: asked again under the same deduplication id, it is
    /// accepted with one message, and its object stays (deleting it would fail a queued image).
    @Test func aSendWhoseAnswerWasLostIsAskedAgainAndQueuedOnce() async throws {
        let harness = try UploadHarness()
        harness.queue.loseAnswers(ofNextSends: 2)
        let form = Multipart.image(png)
        try await harness.send(headers: form.headers, body: form.body) { response in
            #expect(response.status == .accepted)
        }
        #expect(harness.queue.sendCalls == [1, 1, 1])
        #expect(harness.queue.bodies.count == 1)
        #expect(harness.store.keys.count == 1)
    }

    /// The work is queued before the event is sent: an event that cannot be sent costs nothing
    /// but a later appearance on the page.
    @Test func aFailedQueuedEventStillAccepts() async throws {
        let harness = try UploadHarness()
        harness.events.fail(.send)
        let form = Multipart.image(TestPNG.make(width: 2, height: 2))
        try await harness.send(headers: form.headers, body: form.body) { response in
            #expect(response.status == .accepted)
        }
        #expect(harness.queue.bodies.count == 1)
        #expect(harness.store.keys.count == 1)
    }
}
