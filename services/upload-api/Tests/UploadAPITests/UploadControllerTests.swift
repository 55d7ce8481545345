import Foundation
import Hummingbird
import HummingbirdTesting
import PipelineContract
import PipelineService
import PipelineTestSupport
import Testing

@testable import UploadAPI

/// `POST /upload` accepted: stored, queued and announced, under the right name and options.
@Suite struct UploadControllerTests {
    let png = TestPNG.make(width: 4, height: 3)

    @Test func multipartUploadIsStoredAndQueued() async throws {
        let harness = try UploadHarness()
        let png = TestPNG.make(width: 5, height: 3)
        let form = Multipart.image(png, filename: "../../My Photo ü.png")
        let answer = ResultBox()
        try await harness.send(headers: form.headers, body: form.body) { response in
            #expect(response.status == .accepted)
            answer.value = try json(response)
        }
        let result = try #require(answer.value)
        let imageID = try #require(result["image_id"])
        #expect(ObjectKeys.isImageID(imageID))
        #expect(result["status"] == "queued")
        #expect(result["object_key"] == "\(imageID)_MyPhoto.png")

        #expect(harness.store.keys == ["\(imageID)_MyPhoto.png"])
        #expect(harness.store.bytes("\(imageID)_MyPhoto.png") == png)
        #expect(harness.store.contentType("\(imageID)_MyPhoto.png") == "image/png")

        let body = try #require(harness.queue.bodies.first)
        let message = try PipelineJSON.decode(ImageUploadedMessage.self, from: body)
        #expect(message.imageID == imageID)
        #expect(message.objectKey == "\(imageID)_MyPhoto.png")
        #expect(message.bucket == "image-input")
        #expect(message.size == png.count)
        #expect(message.width == 5 && message.height == 3)
        #expect(message.options == nil)
        #expect(message.owner == "local", "without sign-in every upload is the one owner's")
        // FIFO group and deduplication id are the image id: a resend of the same message is dropped.
        try await harness.queue.send(body: body, groupID: imageID, deduplicationID: imageID)
        #expect(harness.queue.bodies.count == 1)

        // Then the `queued` event for the notifier.
        let event = try PipelineJSON.decode(ImageEvent.self, from: try #require(harness.events.bodies.first))
        #expect(event == ImageEvent(
            imageID: imageID, originalKey: "\(imageID)_MyPhoto.png", status: .queued, width: 5, height: 3, size: png.count,
            uploadedAt: message.uploadedAt, owner: "local", filename: message.filename
        ))
    }

    @Test func rawBodyWithOptionsInTheQuery() async throws {
        let harness = try UploadHarness()
        try await harness.send("/upload?filename=scan.png&method=otsu", headers: [.contentType: "image/png"], body: TestPNG.make(width: 2, height: 2)) { response in
            #expect(response.status == .accepted)
            let answer = try json(response)
            #expect(answer["object_key"]?.hasSuffix("_scan.png") == true)
        }
        let message = try PipelineJSON.decode(ImageUploadedMessage.self, from: try #require(harness.queue.bodies.first))
        #expect(message.options == ProcessingOptions(method: .otsu))
    }

    @Test func thresholdFromAFormField() async throws {
        let harness = try UploadHarness()
        let form = Multipart.image(TestPNG.make(width: 2, height: 2), fields: ["threshold": "200"])
        try await harness.send(headers: form.headers, body: form.body) { response in
            #expect(response.status == .accepted)
        }
        let message = try PipelineJSON.decode(ImageUploadedMessage.self, from: try #require(harness.queue.bodies.first))
        #expect(message.options == ProcessingOptions(method: .fixed, threshold: 200))
    }

    @Test func namelessUploadGetsADefaultName() async throws {
        let harness = try UploadHarness()
        let form = Multipart.image(TestPNG.make(width: 2, height: 2), filename: "日本語")
        try await harness.send(headers: form.headers, body: form.body) { response in
            let answer = try json(response)
            #expect(answer["object_key"]?.hasSuffix("_image.png") == true)
        }
    }

    /// The key holds the reduced name; the name as uploaded travels beside it, in the work message,
    /// the `queued` event and the original's metadata (percent-encoded: S3 metadata is ASCII).
    @Test func theNameAsUploadedTravelsBesideTheKey() async throws {
        let harness = try UploadHarness()
        let form = Multipart.image(png, filename: "фото café.png")
        try await harness.send(headers: form.headers, body: form.body) { response in
            #expect(response.status == .accepted)
            let key = try json(response)["object_key"]
            #expect(key?.hasSuffix("_caf.png") == true)
        }
        let message = try PipelineJSON.decode(ImageUploadedMessage.self, from: try #require(harness.queue.bodies.first))
        #expect(message.filename == "фото café.png")
        let event = try PipelineJSON.decode(ImageEvent.self, from: try #require(harness.events.bodies.first))
        #expect(event.status == .queued && event.filename == "фото café.png")
        let metadata = try #require(harness.store.metadata(message.objectKey))
        #expect(metadata["filename"] == "%D1%84%D0%BE%D1%82%D0%BE%20caf%C3%A9.png")
        #expect(metadata["filename"].flatMap(ObjectKeys.displayName(metadataValue:)) == "фото café.png")
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
}
