import AWSClient
import AWSS3
import AWSSQS
import PipelineContract
import Foundation
import PipelineSettings

/// Creates the pipeline's buckets and queues, idempotently: both buckets, both FIFO queues with
/// content-based deduplication, and a FIFO dead-letter queue for each (maxReceiveCount 5).
public struct PipelineResources: Sendable {
    public var s3: S3Client
    public var sqs: SQSClient
    public var configuration: PipelineConfiguration
    /// Receives after which a message moves to its dead-letter queue.
    public var maxReceiveCount = QueuePolicy.maxReceiveCount
    /// Seconds a received message stays invisible; the processor extends it while it works.
    public var visibilityTimeout = QueuePolicy.visibilityTimeoutSeconds

    public init(s3: S3Client, sqs: SQSClient, configuration: PipelineConfiguration) {
        self.s3 = s3
        self.sqs = sqs
        self.configuration = configuration
    }

    /// What ``ensure()`` did, one line each.
    public struct Report: Sendable {
        public var lines: [String] = []
    }

    /// Creates what is missing and brings existing queues' attributes up to date.
    @discardableResult
    public func ensure() async throws -> Report {
        var report = Report()
        for bucket in [configuration.inputBucket, configuration.processedBucket] {
            // us-east-1 answers 200 to creating a bucket one already owns, so ask first.
            if try await bucketExists(bucket) {
                report.lines.append("bucket \(bucket): exists")
            } else {
                try await s3.createBucket(bucket: bucket)
                report.lines.append("bucket \(bucket): created")
            }
        }
        for queue in [configuration.inputQueue, configuration.processedQueue] {
            let fifo = queue.hasSuffix(".fifo")
            let dlqName = QueuePolicy.deadLetterQueueName(for: queue)
            var dlqAttributes = ["MessageRetentionPeriod": String(QueuePolicy.deadLetterRetentionSeconds)]
            if fifo { dlqAttributes["FifoQueue"] = "true" }
            let dlqURL = try await createOrUpdate(dlqName, dlqAttributes)
            let arn = try await sqs.queueAttributes(queueURL: dlqURL, names: ["QueueArn"])["QueueArn"] ?? ""
            let redrive = try PipelineJSON.encode(RedrivePolicy(deadLetterTargetArn: arn, maxReceiveCount: maxReceiveCount))
            var attributes = ["VisibilityTimeout": String(visibilityTimeout), "RedrivePolicy": redrive]
            if fifo {
                attributes["FifoQueue"] = "true"
                attributes["ContentBasedDeduplication"] = "true"
            }
            _ = try await createOrUpdate(queue, attributes)
            report.lines.append("queue \(queue): ready, dead letters to \(dlqName) after \(maxReceiveCount) receives")
        }
        return report
    }

    func bucketExists(_ bucket: String) async throws -> Bool {
        do {
            try await s3.headBucket(bucket: bucket)
            return true
        } catch AWSError.service(let error) where error.statusCode == 404 {
            return false
        }
    }

    struct RedrivePolicy: Encodable {
        var deadLetterTargetArn: String
        var maxReceiveCount: Int
    }

    /// CreateQueue returns an existing queue with the same attributes; with other attributes it fails,
    /// and then the attributes are set on the existing queue (FifoQueue cannot change, so it is left out).
    func createOrUpdate(_ name: String, _ attributes: [String: String]) async throws -> String {
        do {
            return try await sqs.createQueue(named: name, attributes: attributes)
        } catch AWSError.service(let error) where error.code == "QueueAlreadyExists" || error.code == "QueueNameExists" {
            let url = try await sqs.queueURL(named: name)
            try await sqs.setQueueAttributes(queueURL: url, attributes: attributes.filter { $0.key != "FifoQueue" })
            return url
        }
    }
}
