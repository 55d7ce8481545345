import AWSClient
import Foundation
import ImageEngine
import Logging
import NIOCore
import PipelineContract
import PipelineTestSupport
import ServiceLifecycle

@testable import Processor

/// A processor on in-memory fakes.
struct WorkerHarness {
    let inputQueue = InMemoryMessageQueue(name: "new-image-input.fifo", defaultVisibilityTimeout: 30)
    let processedQueue = InMemoryMessageQueue(name: "new-image-processed.fifo")
    let inputBucket = InMemoryObjectStore(name: "image-input")
    let processedBucket = InMemoryObjectStore(name: "image-processed")
    var settings = ProcessorSettings(concurrency: 2, visibilityTimeout: 30, maxPixels: 1_000_000, maxImageBytes: 1 << 20)
    /// How long each read of an input object takes (nil: at once).
    var slowInput: Duration? {
        didSet { inputBucket.delay(.get, by: slowInput) }
    }
    let metrics = ProcessorMetrics()

    var dependencies: ProcessorDependencies {
        ProcessorDependencies(
            inputQueue: inputQueue, processedQueue: processedQueue,
            inputBucket: inputBucket,
            processedBucket: processedBucket, metrics: metrics
        )
    }

    var job: ImageJob { dependencies.job(settings: settings, logger: Logger(label: "test")) }

    /// Stores an input object and queues its message as the upload API does; returns the message's body.
    @discardableResult
    /// - Parameter displayName: the name as uploaded, in the message (nil: a message without one).
    func upload(
        _ bytes: [UInt8], imageID: String = ObjectKeys.newImageID(), name: String = "a.png", displayName: String? = nil,
        options: ProcessingOptions? = nil
    ) async throws -> ImageUploadedMessage {
        let key = ObjectKeys.inputKey(imageID: imageID, filename: name)
        try await inputBucket.put(key: key, body: ByteBuffer(bytes: bytes), contentType: "image/png")
        let message = ImageUploadedMessage(imageID: imageID, objectKey: key, filename: displayName, options: options)
        try await inputQueue.send(body: try PipelineJSON.encode(message), groupID: imageID, deduplicationID: imageID)
        return message
    }

    /// Runs an ``ImageWorker`` on these fakes in a service group until `count` events were
    /// published (or `timeout` passed), then shuts it down gracefully and waits for it to return.
    func runWorker(untilEvents count: Int, timeout: Duration = .seconds(20)) async throws {
        let worker = ImageWorker(queue: inputQueue, job: job, settings: settings, logger: Logger(label: "test"))
        let group = ServiceGroup(services: [worker], gracefulShutdownSignals: [], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await processedQueue.wait(atMost: timeout) { $0.bodies.count >= count }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    func receiveOne() async throws -> QueueMessage? {
        try await inputQueue.receive(maxMessages: 1, waitSeconds: 0, visibilityTimeout: settings.visibilityTimeout).first
    }

    func events() throws -> [ImageEvent] {
        try processedQueue.bodies.map { try PipelineJSON.decode(ImageEvent.self, from: $0) }
    }
}

/// The reference's pixels for an 8-bit RGB image, from docs/image-rules.md's formula.
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
