import AWSClient
import Foundation
import ImageEngine
import Logging
import NIOCore
import PipelineContract
import PipelineTestSupport

@testable import Processor

/// A processor on in-memory fakes.
struct WorkerHarness {
    let inputQueue = InMemoryMessageQueue(name: "new-image-input.fifo", defaultVisibilityTimeout: 30)
    let processedQueue = InMemoryMessageQueue(name: "new-image-processed.fifo")
    let inputBucket = InMemoryObjectStore(name: "image-input")
    let processedBucket = InMemoryObjectStore(name: "image-processed")
    var settings = ProcessorSettings(concurrency: 2, visibilityTimeout: 30, maxPixels: 1_000_000, maxImageBytes: 1 << 20)
    var slowInput: Duration?
    let metrics = ProcessorMetrics()

    var dependencies: ProcessorDependencies {
        ProcessorDependencies(
            inputQueue: inputQueue, processedQueue: processedQueue,
            inputBucket: slowInput.map { SlowStore(wrapped: inputBucket, delay: $0) } ?? inputBucket,
            processedBucket: processedBucket, metrics: metrics
        )
    }

    var job: ImageJob { dependencies.job(settings: settings, logger: Logger(label: "test")) }

    /// Stores an input object and queues its message as the upload API does; returns the message's body.
    @discardableResult
    func upload(_ bytes: [UInt8], imageID: String = ObjectKeys.newImageID(), name: String = "a.png", options: ProcessingOptions? = nil) async throws -> ImageUploadedMessage {
        let key = ObjectKeys.inputKey(imageID: imageID, filename: name)
        try await inputBucket.put(key: key, body: ByteBuffer(bytes: bytes), contentType: "image/png")
        let message = ImageUploadedMessage(imageID: imageID, objectKey: key, options: options)
        try await inputQueue.send(body: try PipelineJSON.encode(message), groupID: imageID, deduplicationID: imageID)
        return message
    }

    func receiveOne() async throws -> QueueMessage? {
        try await inputQueue.receive(maxMessages: 1, waitSeconds: 0, visibilityTimeout: settings.visibilityTimeout).first
    }

    func events() throws -> [ImageEvent] {
        try processedQueue.bodies.map { try PipelineJSON.decode(ImageEvent.self, from: $0) }
    }
}

/// An object store whose reads take a while, to see the visibility heartbeat at work.
struct SlowStore: ObjectStore {
    let wrapped: InMemoryObjectStore
    let delay: Duration
    var name: String { wrapped.name }
    func put(key: String, body: ByteBuffer, contentType: String, metadata: [String: String]) async throws {
        try await wrapped.put(key: key, body: body, contentType: contentType, metadata: metadata)
    }
    func get(key: String, maxBytes: Int) async throws -> StoredObject {
        try await Task.sleep(for: delay)
        return try await wrapped.get(key: key, maxBytes: maxBytes)
    }
    func stream(key: String) async throws -> (info: StoredObjectInfo, body: ObjectBodyStream) { try await wrapped.stream(key: key) }
    func head(key: String) async throws -> StoredObjectInfo? { try await wrapped.head(key: key) }
    func delete(key: String) async throws { try await wrapped.delete(key: key) }
    func list(prefix: String?) async throws -> [StoredObjectInfo] { try await wrapped.list(prefix: prefix) }
    func checkReachable() async throws { try await wrapped.checkReachable() }
}

/// The reference's pixels for an 8-bit RGB image, from IMAGE-RULES.md's formula.
func referencePixels(width: Int, height: Int, threshold: Int = 127, pixel: (Int, Int, Int) -> UInt8) -> [UInt8] {
    var out: [UInt8] = []
    for y in 0..<height {
        for x in 0..<width {
            let r = Int(pixel(x, y, 0)), g = Int(pixel(x, y, 1)), b = Int(pixel(x, y, 2))
            let gray = (r * 9798 + g * 19235 + b * 3735 + 16384) >> 15
            out.append(gray > threshold ? 255 : 0)
        }
    }
    return out
}

let gradient: @Sendable (Int, Int, Int) -> UInt8 = { x, y, c in UInt8((x * 29 + y * 13 + c * 71) & 0xff) }
