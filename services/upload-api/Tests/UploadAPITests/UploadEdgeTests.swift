import Foundation
import Hummingbird
import HummingbirdTesting
import PipelineContract
import PipelineService
import PipelineTestSupport
import Testing

@testable import UploadAPI

/// Behaviour at the edges: retries, slow backends, misplaced files, odd names, hostile paths.
@Suite struct UploadEdgeTests {
    let png = TestPNG.make(width: 4, height: 3)

    @Test func aRetryWithTheSameIdempotencyKeyIsTheSameImage() async throws {
        let harness = try UploadHarness()
        let form = Multipart.image(png, filename: "cat.png")
        var headers = form.headers
        headers[.idempotencyKey] = "client-42/photo-7"
        let answers = ResultBox()
        var ids: [String] = []
        for _ in 0..<2 {
            try await harness.send(headers: headers, body: form.body) { response in
                #expect(response.status == .accepted)
                answers.value = try json(response)
            }
            ids.append(try #require(answers.value?["image_id"]))
        }
        #expect(ids[0] == ids[1])
        #expect(ids[0] == IdempotencyKey.imageID(for: "client-42/photo-7"))
        #expect(ObjectKeys.isImageID(ids[0]))
        #expect(harness.store.keys == ["\(ids[0])_cat.png"])
        #expect(harness.queue.bodies.count == 1, "the message's deduplication id is the image id")
    }

    @Test func imageIDsOfKeysAreVersion5UUIDs() {
        let id = IdempotencyKey.imageID(for: "k")
        #expect(id == IdempotencyKey.imageID(for: "k"))
        #expect(id != IdempotencyKey.imageID(for: "K"))
        #expect(Array(id)[14] == "5", "version 5")
        #expect("89ab".contains(Array(id)[19]), "RFC variant")
    }

    @Test(arguments: [String(repeating: "k", count: 256), "tab\there", "ключ"])
    func badIdempotencyKeysAreRefused(_ key: String) async throws {
        let harness = try UploadHarness()
        let form = Multipart.image(png)
        var headers = form.headers
        headers[.idempotencyKey] = key
        try await harness.send(headers: headers, body: form.body) { response in
            #expect(response.status == .badRequest)
            let answer = try json(response)
            #expect(answer["error"] == "invalid_idempotency_key")
        }
        #expect(harness.store.keys.isEmpty)
    }

    /// `curl -F file=@photo.png`: the answer names the field it expected.
    @Test func aFileUnderAnotherFieldNameIsNamedInTheRefusal() async throws {
        let harness = try UploadHarness()
        var form = Multipart()
        form.parts.append((name: "file", filename: "photo.png", contentType: "image/png", data: TestPNG.make(width: 64, height: 64)))
        try await harness.send(headers: form.headers, body: form.body) { response in
            #expect(response.status == .badRequest)
            let body = try json(response)
            #expect(body["error"] == "no_file")
            #expect(body["message"]?.contains(#""image""#) == true)
            #expect(body["message"]?.contains(#""file""#) == true)
        }
        #expect(harness.store.keys.isEmpty)
    }

    @Test func aNonASCIINameKeepsItsExtension() async throws {
        let harness = try UploadHarness()
        let form = Multipart.image(png, filename: "фото.png")
        try await harness.send(headers: form.headers, body: form.body) { response in
            #expect(response.status == .accepted)
            let answer = try json(response)
            #expect(answer["object_key"]?.hasSuffix("_image.png") == true)
        }
    }

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
        try await Task.sleep(for: .seconds(3))
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
        try await Task.sleep(for: .seconds(1))
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

    /// The queue unreachable for a moment: the send is tried again and the upload accepted.
    @Test func aQueueBackBeforeTheDeadlineIsTriedAgainAndAccepted() async throws {
        let harness = try UploadHarness()
        let queue = harness.queue
        queue.fail(.send)
        let recovery = Task {
            try await Task.sleep(for: .milliseconds(600))
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
        try await Task.sleep(for: .seconds(1))
        #expect(harness.queue.bodies.count == 1, "the send got through")
        #expect(harness.store.keys.isEmpty)
        #expect(harness.events.bodies.isEmpty)
    }

    @Test func everyAnswerIsNosniff() async throws {
        let harness = try UploadHarness()
        try await harness.send("/openapi.yaml", method: .get) { response in
            #expect(response.status == .ok)
            #expect(response.headers[.xContentTypeOptions] == "nosniff")
        }
        try await harness.send(headers: [.contentType: "image/png"], body: Array("GIF89a".utf8)) { response in
            #expect(response.status == .unsupportedMediaType)
            #expect(response.headers[.xContentTypeOptions] == "nosniff")
        }
    }

    @Test(arguments: ["/openapi.yaml%00.html", "/.%00./", "/upload%0a", "/healthz%7f"])
    func controlCharactersInThePathAreRefused(_ path: String) async throws {
        let harness = try UploadHarness()
        try await harness.send(path, method: .get) { response in
            #expect(response.status == .badRequest)
            let answer = try json(response)
            #expect(answer["error"] == "invalid_path")
            #expect(response.headers[.xContentTypeOptions] == "nosniff")
        }
    }
}
