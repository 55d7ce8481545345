import Foundation
import Hummingbird
import HummingbirdTesting
import PipelineContract
import PipelineTestSupport
import Testing

@testable import UploadAPI

@Suite struct UploadAcceptanceTests {
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
        // FIFO group and deduplication id are the image id: a resend of the same message is dropped.
        try await harness.queue.send(body: body, groupID: imageID, deduplicationID: imageID)
        #expect(harness.queue.bodies.count == 1)

        // Then the `queued` event for the notifier.
        let event = try PipelineJSON.decode(ImageEvent.self, from: try #require(harness.events.bodies.first))
        #expect(event == ImageEvent(
            imageID: imageID, originalKey: "\(imageID)_MyPhoto.png", status: .queued, width: 5, height: 3, size: png.count,
            uploadedAt: message.uploadedAt
        ))
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

    @Test func corsForTheNotifierPage() async throws {
        let harness = try UploadHarness()
        try await harness.send(method: .options, headers: [.origin: "http://localhost:8080", .accessControlRequestMethod: "POST"]) { response in
            #expect(response.status == .noContent)
            #expect(response.headers[.accessControlAllowOrigin] == "http://localhost:8080")
            #expect(response.headers[.accessControlAllowMethods]?.contains("POST") == true)
        }
        // Errors carry CORS headers too, so the page can show them.
        try await harness.send(headers: [.origin: "http://127.0.0.1:8080", .contentType: "image/png"], body: Array("nope".utf8)) { response in
            #expect(response.status == .unsupportedMediaType)
            #expect(response.headers[.accessControlAllowOrigin] == "http://127.0.0.1:8080")
        }
        try await harness.send(headers: [.origin: "http://evil.example", .contentType: "image/png"], body: TestPNG.make(width: 1, height: 1)) { response in
            #expect(response.headers[.accessControlAllowOrigin] == nil)
        }
    }

    @Test func operationalRoutes() async throws {
        let harness = try UploadHarness()
        try await harness.send("/upload", headers: [.contentType: "image/png"], body: TestPNG.make(width: 1, height: 1)) { _ in }
        try await harness.send("/healthz", method: .get) { response in #expect(response.status == .ok) }
        try await harness.send("/readyz", method: .get) { response in #expect(response.status == .ok) }
        try await harness.send("/metrics", method: .get) { response in
            let text = String(buffer: response.body)
            #expect(text.contains(#"upload_requests_total{status="202"} 1"#))
            #expect(text.contains("upload_bytes_received_total"))
            #expect(text.contains("upload_duration_seconds_bucket"))
        }
        try await harness.send("/openapi.yaml", method: .get) { response in
            #expect(response.status == .ok)
            #expect(String(buffer: response.body).hasPrefix("openapi: 3.1.0"))
        }
        harness.queue.fail(.reachability)
        let notReady = try UploadHarness()
        notReady.queue.fail(.reachability)
        try await notReady.send("/readyz", method: .get) { response in
            #expect(response.status == .serviceUnavailable)
            #expect(String(buffer: response.body).contains("sqs"))
        }
    }
}

/// Carries a value out of a `@Sendable` response check.
final class ResultBox: @unchecked Sendable {
    var value: [String: String]?
}
