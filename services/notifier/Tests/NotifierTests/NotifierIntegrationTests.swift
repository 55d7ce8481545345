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

/// Against the strict emulator: events on the processed queue go into the DynamoDB table, and
/// come back from its stream as state changes on the SSE stream; nothing is listed at start.
@Suite struct NotifierIntegrationTests {
    @Test func anEventOnTheQueueBecomesAStateChangeOnTheStream() async throws {
        try await TestPipeline.run("it-notify") { environment, _, clients in
            let configuration = try NotifierConfiguration(environment: environment)
            var dependencies = NotifierDependencies(
                inputBucket: clients.inputBucket, processedBucket: clients.processedBucket, processedQueue: clients.processedQueue,
                table: clients.imageTable, changes: clients.imageChanges(logger: Logger(label: "test")), inputQueue: clients.inputQueue
            )
            dependencies.eventWaitSeconds = 1  // the app stops within its long poll
            dependencies.heartbeat = .milliseconds(500)
            let app = buildApplication(configuration: configuration, dependencies: dependencies, logger: Logger(label: "test"))
            try await app.test(.live) { client in
                let reader = try await SSEReader.connect(port: try #require(client.port))
                // The notifier follows the table's stream from its latest record on: probe images
                // are queued until one shows, so the test's own changes come after that point.
                let probing = Task {
                    for _ in 0..<50 where !Task.isCancelled {
                        let probe = ObjectKeys.newImageID()
                        let event = ImageEvent(imageID: probe, originalKey: "\(probe)_probe.png", status: .queued)
                        try await clients.processedQueue.send(body: try PipelineJSON.encode(event), groupID: probe, deduplicationID: event.deduplicationID)
                        try await Task.sleep(for: .milliseconds(200))
                    }
                }
                _ = try await reader.read(until: { $0.contains("_probe.png") })
                probing.cancel()
                let imageID = ObjectKeys.newImageID()
                let key = ObjectKeys.inputKey(imageID: imageID, filename: "live.png")
                let queued = ImageEvent(imageID: imageID, originalKey: key, status: .queued, size: 68)
                try await clients.processedQueue.send(body: try PipelineJSON.encode(queued), groupID: imageID, deduplicationID: queued.deduplicationID)
                _ = try await reader.read(until: { $0.contains(imageID) && $0.contains("\"state\":\"queued\"") })
                try await client.execute(uri: "/api/images/\(imageID)", method: .get) { response in
                    let body = try jsonObject(response.body)
                    #expect(body["original_size"] as? Int == 68)
                }
                try await clients.processedBucket.put(key: ObjectKeys.processedKey(inputKey: key), body: ByteBuffer(bytes: [1]), contentType: "image/png")
                let event = ImageEvent(imageID: imageID, originalKey: key, processedKey: ObjectKeys.processedKey(inputKey: key), status: .processed)
                try await clients.processedQueue.send(body: try PipelineJSON.encode(event), groupID: imageID, deduplicationID: event.deduplicationID)
                let frames = try await reader.read(until: { $0.contains(imageID) && $0.contains("\"state\":\"processed\"") })
                #expect(frames.contains("\"state\":\"processed\""))
                await reader.close()
                try await client.execute(uri: "/api/images", method: .get) { response in
                    let images = try jsonObject(response.body)["images"] as? [[String: Any]]
                    #expect(images?.contains { $0["image_id"] as? String == imageID } == true)
                }
            }
        }
    }
}
