import AWSClient
import Foundation
import ImageEngine
import Logging
import NIOCore
import PipelineAWS
import PipelineContract
import PipelineTestSupport
import ServiceLifecycle
import Testing

@testable import Processor

/// Against the strict emulator: a message in, the processed object and its event out, the
/// message gone; a corrupt upload ends as a marker and a `failed` event.
@Suite struct ProcessorIntegrationTests {
    @Test func messageInObjectAndEventOut() async throws {
        try await TestPipeline.run("it-proc") { _, _, clients in
            let good = ImageUploadedMessage(imageID: ObjectKeys.newImageID(), objectKey: "")
            let bad = ImageUploadedMessage(imageID: ObjectKeys.newImageID(), objectKey: "")
            var messages: [ImageUploadedMessage] = []
            for (message, bytes) in [(good, TestPNG.make(width: 11, height: 5, pixel: gradient)), (bad, Array("not a png".utf8))] {
                var message = message
                message.objectKey = ObjectKeys.inputKey(imageID: message.imageID, filename: "x.png")
                try await clients.inputBucket.put(key: message.objectKey, body: ByteBuffer(bytes: bytes), contentType: "image/png")
                try await clients.inputQueue.send(body: try PipelineJSON.encode(message), groupID: message.imageID, deduplicationID: message.imageID)
                messages.append(message)
            }
            var settings = ProcessorSettings(concurrency: 2, visibilityTimeout: 30)
            settings.waitSeconds = 1
            let dependencies = ProcessorDependencies(
                inputQueue: clients.inputQueue, processedQueue: clients.processedQueue,
                inputBucket: clients.inputBucket, processedBucket: clients.processedBucket
            )
            let worker = ImageWorker(queue: clients.inputQueue, job: dependencies.job(settings: settings, logger: Logger(label: "test")), settings: settings, logger: Logger(label: "test"))
            let group = ServiceGroup(services: [worker], gracefulShutdownSignals: [], logger: Logger(label: "test"))
            var events: [ImageEvent] = []
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                let deadline = ContinuousClock.now + .seconds(20)
                while events.count < 2, ContinuousClock.now < deadline {
                    for message in try await clients.processedQueue.receive(maxMessages: 10, waitSeconds: 1, visibilityTimeout: nil) {
                        events.append(try PipelineJSON.decode(ImageEvent.self, from: message.body))
                        try await clients.processedQueue.delete(receiptHandle: message.receiptHandle)
                    }
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            let processed = try #require(events.first { $0.imageID == messages[0].imageID })
            #expect(processed.status == .processed)
            let object = try await clients.processedBucket.get(key: try #require(processed.processedKey), maxBytes: 1 << 20)
            #expect(object.info.contentType == "image/png")
            #expect(try ImageEngine.decodeGray(Array(object.body.readableBytesView)).pixels == referencePixels(width: 11, height: 5, pixel: gradient))

            let failed = try #require(events.first { $0.imageID == messages[1].imageID })
            #expect(failed.status == .failed)
            #expect(failed.error == PermanentFailure.sentences["not_png"], "the kind's fixed sentence, not the engine's words")
            let marker = try await clients.processedBucket.get(key: ObjectKeys.failureMarkerKey(inputKey: messages[1].objectKey), maxBytes: 1024)
            #expect(marker.info.contentType == "application/json")

            #expect(try await clients.inputQueue.receive(maxMessages: 10, waitSeconds: 1, visibilityTimeout: nil).isEmpty, "both messages deleted")
        }
    }
}
