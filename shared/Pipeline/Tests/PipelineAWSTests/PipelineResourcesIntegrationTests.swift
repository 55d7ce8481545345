import AWSClient
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
            let resources = PipelineResources(s3: context.s3, sqs: context.sqs, configuration: configuration)
            let first = try await resources.ensure()
            #expect(first.lines.contains("bucket it-in-\(suffix): created"))
            let second = try await resources.ensure()
            #expect(second.lines.contains("bucket it-in-\(suffix): exists"))

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

    /// The processor's batched events: eleven go out in two calls, and a repeated deduplication
    /// id is taken but delivered once, as with single sends.
    @Test func sendBatchTakesMoreThanTenAndDeduplicates() async throws {
        guard let environment = try TestPipeline.environment("itb") else { return }
        let configuration = try PipelineConfiguration(environment: environment)
        try await withClients(configuration) { context in
            _ = try await PipelineResources(s3: context.s3, sqs: context.sqs, configuration: configuration).ensure()
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
