import AWSClient
import AWSDynamoDB
import AWSS3
import AWSSQS
import PipelineContract
import Foundation
import PipelineSettings

/// Creates the pipeline's resources, idempotently: both buckets (with RETENTION_DAYS' expiration),
/// both FIFO queues with content-based deduplication and a FIFO dead-letter queue for each
/// (maxReceiveCount 5), and the image table (on demand, its stream, expiry by `expires_at`).
public struct PipelineResources: Sendable {
    public var s3: S3Client
    public var sqs: SQSClient
    public var dynamo: DynamoDBClient
    public var configuration: PipelineConfiguration
    /// Receives after which a message moves to its dead-letter queue.
    public var maxReceiveCount = QueuePolicy.maxReceiveCount
    /// Seconds a received message stays invisible; the processor extends it while it works.
    public var visibilityTimeout = QueuePolicy.visibilityTimeoutSeconds

    /// How long creating the table may take to become active.
    public var tableCreationLimit: Duration = .seconds(120)

    public init(s3: S3Client, sqs: SQSClient, dynamo: DynamoDBClient, configuration: PipelineConfiguration) {
        self.s3 = s3
        self.sqs = sqs
        self.dynamo = dynamo
        self.configuration = configuration
    }

    /// The clients of `clients`.
    public init(_ clients: PipelineClients, configuration: PipelineConfiguration) {
        self.init(s3: clients.s3, sqs: clients.sqs, dynamo: clients.dynamo, configuration: configuration)
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
            let days = configuration.retentionDays
            if try await s3.expirationDays(bucket: bucket) != days {
                try await s3.setExpiration(bucket: bucket, days: days)
            }
            report.lines.append("bucket \(bucket): " + (days.map { "objects expire after \($0) days" } ?? "objects kept"))
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
        report.lines.append(try await ensureTable())
        return report
    }

    /// A table that is not what ``ImageTableSchema`` says (made by hand, or by an older setup).
    public struct TableMismatch: Error, CustomStringConvertible {
        public var table: String
        public var problem: String
        public var description: String { "table \(table) exists but \(problem); delete it or fix it by hand" }
    }

    /// Creates the image table unless it exists, waits until it is active, turns on expiry.
    func ensureTable() async throws -> String {
        let name = configuration.imageTable
        var created = false
        var table = try await dynamo.describeTable(name)
        if table == nil {
            do {
                try await dynamo.createTable(ImageTableSchema.definition(table: name))
                created = true
            } catch AWSError.service(let error) where error.code == "ResourceInUseException" {
                // Another setup created it meanwhile.
            }
            let deadline = ContinuousClock.now + tableCreationLimit
            while table?.TableStatus != "ACTIVE" {
                guard ContinuousClock.now < deadline else { throw TableMismatch(table: name, problem: "did not become active in time") }
                if table != nil { try await Task.sleep(for: .milliseconds(250)) }
                table = try await dynamo.describeTable(name)
            }
        }
        guard let table else { throw TableMismatch(table: name, problem: "cannot be described") }
        guard table.StreamSpecification?.StreamEnabled == true, table.LatestStreamArn != nil,
            table.StreamSpecification?.StreamViewType == ImageTableSchema.streamView
        else { throw TableMismatch(table: name, problem: "has no stream of new and old images") }
        for index in [ImageTableSchema.ownerIndex, ImageTableSchema.everyoneIndex]
        where table.GlobalSecondaryIndexes?.contains(where: { $0.IndexName == index }) != true {
            throw TableMismatch(table: name, problem: "has no index \(index) (a table from before owners: delete it and run pipeline-setup, then reindex)")
        }
        if try await dynamo.timeToLiveAttribute(table: name) != ImageTableSchema.expiryAttribute {
            try await dynamo.enableTimeToLive(table: name, attribute: ImageTableSchema.expiryAttribute)
        }
        return "table \(name): \(created ? "created" : "exists"), on demand, stream of new and old images, items expire by \(ImageTableSchema.expiryAttribute)"
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
