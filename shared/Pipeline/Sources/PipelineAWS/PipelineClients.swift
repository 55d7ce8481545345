import AWSClient
import AWSDynamoDB
import AWSS3
import AWSSQS
import PipelineContract
import Logging
import PipelineSettings

/// The AWS clients and the store, queue and table seams of one service, made from its configuration.
///
/// One HTTP connection pool serves them all; call ``shutdown()`` once at the end.
public struct PipelineClients: Sendable {
    public let transport: any AWSHTTPTransport
    public let s3: S3Client
    public let sqs: SQSClient
    public let dynamo: DynamoDBClient
    public let streams: DynamoDBStreamsClient
    public let inputBucket: S3ObjectStore
    public let processedBucket: S3ObjectStore
    public let inputQueue: SQSMessageQueue
    public let processedQueue: SQSMessageQueue
    public let imageTable: DynamoImageTable
    /// The owners' daily upload counts, in the image table.
    public let usageLedger: DynamoUsageLedger

    /// - Parameter transport: AsyncHTTPClient's by default; a service that never streams an
    ///   object can pass the leaner ``NIOHTTPTransport``.
    public init(configuration: PipelineConfiguration, logger: Logger, transport: (any AWSHTTPTransport)? = nil) {
        self.transport = transport ?? AsyncHTTPClientTransport()
        s3 = S3Client(configuration: configuration.aws, transport: self.transport, logger: logger)
        sqs = SQSClient(configuration: configuration.aws, transport: self.transport, logger: logger)
        dynamo = DynamoDBClient(configuration: configuration.aws, transport: self.transport, logger: logger)
        streams = DynamoDBStreamsClient(dynamo)
        inputBucket = S3ObjectStore(s3: s3, bucket: configuration.inputBucket)
        processedBucket = S3ObjectStore(s3: s3, bucket: configuration.processedBucket)
        inputQueue = SQSMessageQueue(sqs: sqs, name: configuration.inputQueue)
        processedQueue = SQSMessageQueue(sqs: sqs, name: configuration.processedQueue)
        imageTable = DynamoImageTable(dynamo: dynamo, table: configuration.imageTable)
        usageLedger = DynamoUsageLedger(dynamo: dynamo, table: configuration.imageTable)
    }

    /// The image table's changes, from its stream.
    public func imageChanges(logger: Logger) -> DynamoImageChangeFeed {
        DynamoImageChangeFeed(reader: DynamoStreamShardReader(dynamo: dynamo, streams: streams, table: imageTable.table), logger: logger)
    }

    public func shutdown() async throws {
        try await transport.shutdown()
    }
}
