import Foundation
import PipelineContract
import Testing

@Suite struct MessagesTests {
    @Test func theOriginalTwoFieldMessageDecodes() throws {
        let message = try PipelineJSON.decode(ImageUploadedMessage.self, from: #"{"image_id": "abc", "object_key": "abc_x.png"}"#)
        #expect(message == ImageUploadedMessage(imageID: "abc", objectKey: "abc_x.png"))
    }

    @Test func uploadedMessageWireNames() throws {
        let message = ImageUploadedMessage(
            imageID: "i", objectKey: "i_a.png", bucket: "image-input", filename: "a.png", size: 3,
            uploadedAt: "2026-11-29T00:00:00.000Z", options: ProcessingOptions(method: .otsu)
        )
        let text = try PipelineJSON.encode(message)
        #expect(text == #"{"bucket":"image-input","filename":"a.png","image_id":"i","object_key":"i_a.png","options":{"method":"otsu"},"size":3,"uploaded_at":"2026-11-29T00:00:00.000Z"}"#)
        #expect(try PipelineJSON.decode(ImageUploadedMessage.self, from: text) == message)
    }

    @Test func processedEventWireNames() throws {
        let event = ImageEvent(imageID: "i", originalKey: "i_a.png", processedKey: "processed_i_a.png", status: .failed, error: "Not a PNG.")
        let text = try PipelineJSON.encode(event)
        #expect(text == #"{"error":"Not a PNG.","image_id":"i","original_key":"i_a.png","processed_key":"processed_i_a.png","status":"failed"}"#)
        // A failure has its own deduplication id: the success of a redrive that follows within
        // SQS's five minutes must not be dropped as its repeat.
        #expect(event.deduplicationID == "failed_i")
        var success = event
        success.status = .processed
        #expect(success.deduplicationID == "processed_i")
        #expect(try PipelineJSON.encode(FailureMarker(imageID: "i", error: "Not a PNG.")) == #"{"error":"Not a PNG.","image_id":"i"}"#)
    }

    /// The original Python worker sends `image_id`, `original_key` and `processed_key` only.
    @Test func anEventWithoutStatusIsProcessed() throws {
        let event = try PipelineJSON.decode(ImageEvent.self, from: #"{"image_id": "i", "original_key": "i_a.png", "processed_key": "processed_i_a.png"}"#)
        #expect(event == ImageEvent(imageID: "i", originalKey: "i_a.png", processedKey: "processed_i_a.png", status: .processed))
    }

    @Test func queuedEventWireNames() throws {
        let event = ImageEvent(imageID: "i", originalKey: "i_a.png", status: .queued, size: 3, uploadedAt: "2026-11-29T00:00:00.000Z")
        let text = try PipelineJSON.encode(event)
        #expect(text == #"{"image_id":"i","original_key":"i_a.png","size":3,"status":"queued","uploaded_at":"2026-11-29T00:00:00.000Z"}"#)
        #expect(event.deduplicationID == "queued_i")
        #expect(try PipelineJSON.decode(ImageEvent.self, from: text) == event)
    }

    @Test func statesOnlyMoveForward() {
        #expect(ImageEvent.Status.queued < .failed)
        #expect(ImageEvent.Status.failed < .processed)
    }

    @Test func missingRequiredFieldsAreRefused() {
        #expect(throws: DecodingError.self) { try PipelineJSON.decode(ImageUploadedMessage.self, from: #"{"image_id": "abc"}"#) }
        #expect(throws: DecodingError.self) { try PipelineJSON.decode(ImageUploadedMessage.self, from: "not json") }
    }

    @Test func timestampsAreISO8601WithMilliseconds() {
        #expect(PipelineJSON.timestamp(Date(timeIntervalSince1970: 1_795_915_236.5)) == "2026-11-29T01:20:36.500Z")
        #expect(PipelineJSON.date(fromTimestamp: "2026-11-29T01:20:36.500Z") == Date(timeIntervalSince1970: 1_795_915_236.5))
        #expect(PipelineJSON.date(fromTimestamp: "2026-11-29T01:20:36Z") == Date(timeIntervalSince1970: 1_795_915_236))
        #expect(PipelineJSON.date(fromTimestamp: "yesterday") == nil)
    }
}
