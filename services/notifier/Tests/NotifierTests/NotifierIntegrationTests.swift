import AWSClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PipelineAWS
import PipelineContract
import PipelineSettings
import PipelineTestSupport
import Testing

@testable import Notifier

/// Against the strict emulator: an upload in the input bucket appears, then an event on the
/// processed queue turns up as a state change on the SSE stream.
@Suite struct NotifierIntegrationTests {
    @Test func eventOnTheQueueBecomesAStateChangeOnTheStream() async throws {
        try await TestPipeline.run("it-notify") { environment, _, clients in
            let configuration = try NotifierConfiguration(environment: environment)
            let imageID = ObjectKeys.newImageID()
            let key = ObjectKeys.inputKey(imageID: imageID, filename: "live.png")
            try await clients.inputBucket.put(key: key, body: ByteBuffer(bytes: TestPNG.make(width: 2, height: 2)), contentType: "image/png")

            var dependencies = NotifierDependencies(
                inputBucket: clients.inputBucket, processedBucket: clients.processedBucket, processedQueue: clients.processedQueue,
                inputQueue: clients.inputQueue
            )
            dependencies.eventWaitSeconds = 1  // the app stops within its long poll
            let app = buildApplication(configuration: configuration, dependencies: dependencies, logger: Logger(label: "test"))
            try await app.test(.live) { client in
                // Rebuilt at start: the upload is there, queued.
                try await client.execute(uri: "/api/images/\(imageID)", method: .get) { response in
                    let body = try jsonObject(response.body)
                    #expect(body["state"] as? String == "queued")
                }
                let reader = try await SSEReader.connect(port: try #require(client.port))
                // A later upload is learnt from its `queued` event alone: the bucket is not listed again.
                let laterID = ObjectKeys.newImageID()
                let laterKey = ObjectKeys.inputKey(imageID: laterID, filename: "later.png")
                let queued = ImageEvent(imageID: laterID, originalKey: laterKey, status: .queued, size: 68)
                try await clients.processedQueue.send(body: try PipelineJSON.encode(queued), groupID: laterID, deduplicationID: queued.deduplicationID)
                let queuedFrames = try await reader.read(until: { $0.contains(laterID) && $0.contains("\"state\":\"queued\"") })
                #expect(queuedFrames.contains(laterKey))
                try await clients.processedBucket.put(key: ObjectKeys.processedKey(inputKey: key), body: ByteBuffer(bytes: [1]), contentType: "image/png")
                let event = ImageEvent(imageID: imageID, originalKey: key, processedKey: ObjectKeys.processedKey(inputKey: key), status: .processed)
                try await clients.processedQueue.send(body: try PipelineJSON.encode(event), groupID: imageID, deduplicationID: event.deduplicationID)
                let frames = try await reader.read(until: { $0.contains(imageID) && $0.contains("\"state\":\"processed\"") })
                #expect(frames.contains("\"state\":\"processed\""))
                await reader.close()
            }
        }
    }
}
