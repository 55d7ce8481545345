import Foundation
import ImageEngine
import NIOCore
import PipelineContract
import PipelineTestSupport
import Prometheus
import Testing

@testable import Processor

@Suite struct ImageJobTests {
    @Test func successWritesObjectThenEventThenDeletes() async throws {
        let harness = WorkerHarness()
        let request = try await harness.upload(TestPNG.make(width: 13, height: 7, pixel: gradient), name: "cat.png")
        let message = try #require(try await harness.receiveOne())
        #expect(await harness.job.handle(message) == .processed)

        let processedKey = "processed_\(request.objectKey)"
        #expect(harness.processedBucket.keys == [processedKey])
        #expect(harness.processedBucket.contentType(processedKey) == "image/png")
        let png = try #require(harness.processedBucket.bytes(processedKey))
        let gray = try ImageEngine.decodeGray(png)
        #expect(gray.width == 13 && gray.height == 7)
        #expect(gray.pixels == referencePixels(width: 13, height: 7, pixel: gradient))

        let events = try harness.events()
        #expect(events.count == 1)
        #expect(events.first?.status == .processed)
        #expect(events.first?.imageID == request.imageID)
        #expect(events.first?.originalKey == request.objectKey)
        #expect(events.first?.processedKey == processedKey)
        #expect(events.first?.width == 13)
        #expect(harness.inputQueue.bodies.isEmpty, "the message is deleted")
        #expect(harness.dependencies.metrics.registry.emitToString().contains("processor_images_processed_total 1"))
    }

    @Test func theOriginalTwoFieldMessageIsProcessed() async throws {
        let harness = WorkerHarness()
        let id = ObjectKeys.newImageID()
        let key = "\(id)_legacy.png"
        try await harness.inputBucket.put(key: key, body: .init(bytes: TestPNG.make(width: 2, height: 2)), contentType: "image/png")
        try await harness.inputQueue.send(body: #"{"image_id": "\#(id)", "object_key": "\#(key)"}"#, groupID: id, deduplicationID: id)
        #expect(await harness.job.handle(try #require(try await harness.receiveOne())) == .processed)
        #expect(harness.processedBucket.keys == ["processed_\(key)"])
    }

    @Test func optionsFromTheMessage() async throws {
        let harness = WorkerHarness()
        try await harness.upload(TestPNG.make(width: 9, height: 9, pixel: gradient), options: ProcessingOptions(method: .fixed, threshold: 200))
        _ = await harness.job.handle(try #require(try await harness.receiveOne()))
        let event = try #require(try harness.events().first)
        #expect(event.threshold == 200)
        let processedKey = try #require(event.processedKey)
        let png = try #require(harness.processedBucket.bytes(processedKey))
        #expect(try ImageEngine.decodeGray(png).pixels == referencePixels(width: 9, height: 9, threshold: 200, pixel: gradient))

        let otsu = WorkerHarness()
        try await otsu.upload(TestPNG.make(width: 9, height: 9, pixel: gradient), options: ProcessingOptions(method: .otsu))
        _ = await otsu.job.handle(try #require(try await otsu.receiveOne()))
        #expect(try otsu.events().first?.status == .processed)
    }

    @Test(arguments: [
        ("text", Array("hello, not an image".utf8), "not_png"),
        ("truncated", Array(TestPNG.make(width: 8, height: 8).prefix(60)), "truncated"),
        ("bomb", TestPNG.bombHeader(width: 5000, height: 5000), "too_many_pixels"),
    ])
    func permanentFailuresAreMarkedPublishedAndDeleted(_ name: String, _ bytes: [UInt8], _ kind: String) async throws {
        let harness = WorkerHarness()
        let request = try await harness.upload(bytes, name: "\(name).png")
        let outcome = await harness.job.handle(try #require(try await harness.receiveOne()))
        guard case .failed(let failure) = outcome else {
            Issue.record("expected a permanent failure, got \(outcome)")
            return
        }
        #expect(failure.kind == kind)
        let marker = try #require(harness.processedBucket.bytes("failed_\(request.objectKey).json"))
        let decoded = try PipelineJSON.decode(FailureMarker.self, from: String(decoding: marker, as: UTF8.self))
        #expect(decoded == FailureMarker(imageID: request.imageID, error: failure.message))
        #expect(harness.processedBucket.contentType("failed_\(request.objectKey).json") == "application/json")
        let event = try #require(try harness.events().first)
        #expect(event.status == .failed)
        #expect(event.error == failure.message)
        #expect(event.error?.hasSuffix(".") == true)
        #expect(harness.inputQueue.bodies.isEmpty)
        #expect(harness.dependencies.metrics.registry.emitToString().contains(#"processor_images_failed_total{reason="\#(kind)"} 1"#))
    }

    @Test func missingObjectFailsForGood() async throws {
        let harness = WorkerHarness()
        let id = ObjectKeys.newImageID()
        try await harness.inputQueue.send(body: try PipelineJSON.encode(ImageUploadedMessage(imageID: id, objectKey: "\(id)_gone.png")), groupID: id, deduplicationID: id)
        let outcome = await harness.job.handle(try #require(try await harness.receiveOne()))
        #expect(outcome == .failed(.missing("\(id)_gone.png")))
        #expect(try harness.events().first?.error?.contains("no longer exists") == true)
    }

    @Test func malformedBodiesAreDeleted() async throws {
        let harness = WorkerHarness()
        let id = ObjectKeys.newImageID()
        try await harness.inputQueue.send(body: "not json at all", groupID: "g1", deduplicationID: "d1")
        try await harness.inputQueue.send(body: #"{"image_id": "\#(id)", "original_key": "\#(id)_x.png"}"#, groupID: "g2", deduplicationID: "d2")
        for _ in 0..<2 {
            let outcome = await harness.job.handle(try #require(try await harness.receiveOne()))
            #expect(outcome == .failed(.malformedMessage("it lacks image_id or object_key, or is not JSON")))
        }
        #expect(harness.inputQueue.bodies.isEmpty)
        // The one that still named an image failed that image, so its owner sees why.
        #expect(try harness.events().map(\.imageID) == [id])
        #expect(harness.processedBucket.keys == ["failed_\(id)_x.png.json"])
    }

    @Test func transientFailureLeavesTheMessageThenRedeliveryIsIdempotent() async throws {
        let harness = WorkerHarness()
        let request = try await harness.upload(TestPNG.make(width: 6, height: 6, pixel: gradient))
        harness.processedQueue.fail(.send)
        let first = try #require(try await harness.receiveOne())
        #expect(await harness.job.handle(first) == .retry)
        #expect(harness.inputQueue.bodies.count == 1, "not deleted")
        #expect(harness.inputQueue.visibilityChanges.last?.timeout == 5, "released for a retry in a few seconds")
        let objectAfterFirst = harness.processedBucket.bytes("processed_\(request.objectKey)")

        harness.processedQueue.fail(.send, with: nil)
        try await harness.inputQueue.changeVisibility(receiptHandle: first.receiptHandle, timeout: 0)
        let second = try #require(try await harness.receiveOne())
        #expect(second.receiveCount == 2)
        #expect(await harness.job.handle(second) == .processed)
        #expect(harness.processedBucket.bytes("processed_\(request.objectKey)") == objectAfterFirst, "same object again")
        #expect(try harness.events().count == 1)
        #expect(harness.inputQueue.bodies.isEmpty)

        // A third delivery of the same upload (at least once) changes nothing visible.
        try await harness.inputQueue.send(body: try PipelineJSON.encode(request), groupID: request.imageID, deduplicationID: "redelivered")
        #expect(await harness.job.handle(try #require(try await harness.receiveOne())) == .processed)
        #expect(harness.processedBucket.bytes("processed_\(request.objectKey)") == objectAfterFirst)
        #expect(try harness.events().count == 1, "the event's deduplication id drops the repeat")
    }

    @Test func storeOutageIsTransient() async throws {
        let harness = WorkerHarness()
        try await harness.upload(TestPNG.make(width: 2, height: 2))
        harness.inputBucket.fail(.get)
        #expect(await harness.job.handle(try #require(try await harness.receiveOne())) == .retry)
        #expect(harness.processedBucket.keys.isEmpty)
        #expect(try harness.events().isEmpty)
    }

    /// A transient failure on the last receive the queue allows fails the image (with the attempts
    /// and the last error), leaves the marker, and releases the message to move to the DLQ.
    /// The name as uploaded goes on in the outcome events, so the page has it even when the
    /// upload's own event was lost.
    @Test func outcomesCarryTheNameAsUploaded() async throws {
        let harness = WorkerHarness()
        _ = try await harness.upload(TestPNG.make(width: 2, height: 2), name: "caf.png", displayName: "café.png")
        _ = try await harness.upload(Array("not a png".utf8), name: "x.png", displayName: "写真.png")
        for _ in 0..<2 {
            let message = try #require(try await harness.receiveOne())
            _ = await harness.job.handle(message)
        }
        let events = try harness.events()
        #expect(Set(events.map { "\($0.status.rawValue) \($0.filename ?? "-")" }) == ["processed café.png", "failed 写真.png"])
    }

    @Test func everyKindHasAFixedSentence() {
        let kinds = ["not_png", "truncated", "invalid_header", "too_many_pixels", "corrupt", "unsupported", "out_of_memory", "encoding_failed"]
        for kind in kinds {
            #expect(PermanentFailure(kind: kind, detail: "libpng: IDAT: incorrect header check").message == PermanentFailure.sentences[kind])
        }
        #expect(Set(PermanentFailure.sentences.keys).isSuperset(of: kinds + ["missing", "too_large", "malformed_message"]))
        #expect(PermanentFailure.missing("abc_secret-name.png").message.contains("secret") == false)
        #expect(PermanentFailure.gaveUp(attempts: 5, lastError: ObjectStoreError.backend(reason: "arn:aws:iam::123456789012:role/x")).message.contains("arn:") == false)
    }

    @Test func lastReceiveFailsTheImageAndLeavesTheMessageForTheDeadLetterQueue() async throws {
        var harness = WorkerHarness()
        harness.settings.maxReceiveCount = 3
        let request = try await harness.upload(TestPNG.make(width: 2, height: 2))
        harness.inputBucket.fail(.get, with: .backend(reason: "AccessDenied (HTTP 403)"))
        for attempt in 1...2 {
            let message = try #require(try await harness.receiveOne())
            #expect(message.receiveCount == attempt)
            #expect(await harness.job.handle(message) == .retry)
            #expect(try harness.events().isEmpty, "not failed before the last receive")
            try await harness.inputQueue.changeVisibility(receiptHandle: message.receiptHandle, timeout: 0)
        }
        let last = try #require(try await harness.receiveOne())
        #expect(await harness.job.handle(last) == .deadLettered)
        let event = try #require(try harness.events().first)
        #expect(event.status == .failed)
        // What the owner sees is the fixed sentence of the kind; S3's own words stay in the log.
        #expect(event.error == "Processing failed 3 times (the image store could not be read or written); the image was set aside for an administrator to send again.")
        #expect(event.error?.contains("AccessDenied") == false)
        #expect(harness.processedBucket.keys == ["failed_\(request.objectKey).json"])
        #expect(harness.inputQueue.bodies.count == 1, "left for the queue to move to the dead-letter queue")
        #expect(harness.inputQueue.visibilityChanges.last?.timeout == 0, "released at once")

        // A redrive that succeeds still processes the image.
        harness.inputBucket.fail(.get, with: nil)
        #expect(await harness.job.handle(try #require(try await harness.receiveOne())) == .processed)
    }

    @Test func heartbeatExtendsVisibilityWhileWorking() async throws {
        var harness = WorkerHarness()
        harness.settings = ProcessorSettings(concurrency: 1, visibilityTimeout: 3, maxPixels: 1_000_000, maxImageBytes: 1 << 20)
        harness.slowInput = .milliseconds(3500)
        try await harness.upload(TestPNG.make(width: 2, height: 2))
        let message = try #require(try await harness.receiveOne())
        #expect(await harness.job.handle(message) == .processed)
        let extensions = harness.inputQueue.visibilityChanges.filter { $0.handle == message.receiptHandle && $0.timeout == 3 }
        #expect(extensions.count >= 2, "extended every second while the slow read took 3.5 s")
    }
}
