import AWSClient
import AWSDynamoDB
import AWSS3
import AWSSQS
import Foundation
import AWSTestSupport
import Logging
import PipelineAWS
import PipelineContract
import PipelineSettings
import PipelineTestSupport
import Testing

/// The setup creates both buckets, both FIFO queues and their dead-letter queues, and can run again.
@Suite struct PipelineResourcesIntegrationTests {
    @Test func setupIsIdempotent() async throws {
        guard let environment = try TestPipeline.environment("it") else { return }
        let suffix = try #require(environment["INPUT_BUCKET"]?.split(separator: "-").last.map(String.init))
        let configuration = try PipelineConfiguration(environment: environment)
        try await withClients(configuration) { context in
            let resources = PipelineResources(context, configuration: configuration)
            let first = try await resources.ensure()
            #expect(first.lines.contains("bucket it-in-\(suffix): created"))
            #expect(first.lines.contains { $0.hasPrefix("table it-images-\(suffix): created, on demand") })
            let second = try await resources.ensure()
            #expect(second.lines.contains("bucket it-in-\(suffix): exists"))
            #expect(second.lines.contains { $0.hasPrefix("table it-images-\(suffix): exists") })
            #expect(second.lines.contains("bucket it-in-\(suffix): objects kept"))

            let table = try #require(try await context.dynamo.describeTable(configuration.imageTable))
            #expect(table.TableStatus == "ACTIVE" && table.BillingModeSummary?.BillingMode == "PAY_PER_REQUEST")
            #expect(table.StreamSpecification?.StreamViewType == "NEW_AND_OLD_IMAGES")
            #expect(table.KeySchema == [.init(AttributeName: "image_id", KeyType: "HASH")])
            let index = try #require(table.GlobalSecondaryIndexes?.first { $0.IndexName == "owner-uploaded" })
            #expect(index.KeySchema == [.init(AttributeName: "owner", KeyType: "HASH"), .init(AttributeName: "uploaded_at", KeyType: "RANGE")])
            let everyone = try #require(table.GlobalSecondaryIndexes?.first { $0.IndexName == "everyone-uploaded" })
            #expect(everyone.KeySchema == [.init(AttributeName: "listing", KeyType: "HASH"), .init(AttributeName: "uploaded_at", KeyType: "RANGE")])
            #expect(try await context.dynamo.timeToLiveAttribute(table: configuration.imageTable) == "expires_at")

            for queue in [configuration.inputQueue, configuration.processedQueue] {
                let url = try await context.sqs.queueURL(named: queue)
                let attributes = try await context.sqs.queueAttributes(queueURL: url)
                #expect(attributes["FifoQueue"] == "true")
                #expect(attributes["ContentBasedDeduplication"] == "true")
                let redrive = try #require(attributes["RedrivePolicy"])
                #expect(redrive.contains(QueuePolicy.deadLetterQueueName(for: queue)))
                #expect(redrive.contains("\"maxReceiveCount\":5") || redrive.contains("\"maxReceiveCount\": 5"))
                _ = try await context.sqs.queueURL(named: QueuePolicy.deadLetterQueueName(for: queue))
            }
            try await context.s3.headBucket(bucket: configuration.processedBucket)

            // The depths the notifier's pipeline panel shows: one GetQueueAttributes call.
            let queue = context.inputQueue
            #expect(try await queue.depth() == QueueDepth(visible: 0, inFlight: 0))
            try await queue.send(body: "a", groupID: "a", deduplicationID: "a")
            try await queue.send(body: "b", groupID: "b", deduplicationID: "b")
            _ = try await queue.receive(maxMessages: 1, waitSeconds: 1, visibilityTimeout: 30)
            #expect(try await queue.depth() == QueueDepth(visible: 1, inFlight: 1))
        }
    }

    /// RETENTION_DAYS puts an expiration on both buckets, and taking it away removes it.
    @Test func retentionExpiresObjectsInBothBuckets() async throws {
        guard var environment = try TestPipeline.environment("itr") else { return }
        environment.values["RETENTION_DAYS"] = "30"
        let configuration = try PipelineConfiguration(environment: environment)
        try await withClients(configuration) { context in
            let report = try await PipelineResources(context, configuration: configuration).ensure()
            #expect(report.lines.contains("bucket \(configuration.processedBucket): objects expire after 30 days"))
            for bucket in [configuration.inputBucket, configuration.processedBucket] {
                #expect(try await context.s3.expirationDays(bucket: bucket) == 30)
            }
            var keep = configuration
            keep.retentionDays = nil
            try await PipelineResources(context, configuration: keep).ensure()
            #expect(try await context.s3.expirationDays(bucket: configuration.inputBucket) == nil)
        }
    }

    /// A table of that name without the stream the notifiers follow stops the setup with a reason.
    @Test func aTableWithoutItsStreamIsReported() async throws {
        guard let environment = try TestPipeline.environment("itm") else { return }
        let configuration = try PipelineConfiguration(environment: environment)
        try await withClients(configuration) { context in
            var definition = ImageTableSchema.definition(table: configuration.imageTable)
            definition.streamView = nil
            try await context.dynamo.createTable(definition)
            await #expect {
                try await PipelineResources(context, configuration: configuration).ensure()
            } throws: { error in
                "\(error)" == "table \(configuration.imageTable) exists but has no stream of new and old images; delete it or fix it by hand"
            }
        }
    }

    /// The processor's batched events: eleven go out in two calls, and a repeated deduplication
    /// id is taken but delivered once, as with single sends.
    @Test func sendBatchTakesMoreThanTenAndDeduplicates() async throws {
        guard let environment = try TestPipeline.environment("itb") else { return }
        let configuration = try PipelineConfiguration(environment: environment)
        try await withClients(configuration) { context in
            _ = try await PipelineResources(context, configuration: configuration).ensure()
            let queue = context.processedQueue
            var messages = (0..<10).map { OutgoingMessage(body: "event \($0)", groupID: "g\($0)", deduplicationID: "d\($0)") }
            messages.append(OutgoingMessage(body: "again", groupID: "g3", deduplicationID: "d3"))
            #expect(try await queue.sendBatch(messages) == [])
            var bodies: [String] = []
            let deadline = ContinuousClock.now + .seconds(10)
            while bodies.count < 10, ContinuousClock.now < deadline {
                let received = try await queue.receive(maxMessages: 10, waitSeconds: 1, visibilityTimeout: 30)
                bodies += received.map(\.body)
                _ = try await queue.deleteBatch(receiptHandles: received.map(\.receiptHandle))
            }
            #expect(bodies.sorted() == (0..<10).map { "event \($0)" }.sorted())
        }
    }
}

/// Runs `body` with clients on `configuration` and always closes their connection pool.
func withClients(_ configuration: PipelineConfiguration, _ body: (PipelineClients) async throws -> Void) async throws {
    let clients = PipelineClients(configuration: configuration, logger: Logger(label: "test"))
    do {
        try await body(clients)
    } catch {
        try? await clients.shutdown()
        throw error
    }
    try await clients.shutdown()
}
