import AWSClient
import AWSS3
import AWSSQS
import PipelineContract
import Logging
import PipelineSettings

/// The AWS clients and the store and queue seams of one service, made from its configuration.
///
/// One HTTP connection pool serves them all; call ``shutdown()`` once at the end.
public struct PipelineClients: Sendable {
    public let transport: any AWSHTTPTransport
    public let s3: S3Client
    public let sqs: SQSClient
    public let inputBucket: S3ObjectStore
    public let processedBucket: S3ObjectStore
    public let inputQueue: SQSMessageQueue
    public let processedQueue: SQSMessageQueue

    /// - Parameter transport: AsyncHTTPClient's by default; a service that never streams an
    ///   object can pass the leaner ``NIOHTTPTransport``.
    public init(configuration: PipelineConfiguration, logger: Logger, transport: (any AWSHTTPTransport)? = nil) {
        self.transport = transport ?? AsyncHTTPClientTransport()
        s3 = S3Client(configuration: configuration.aws, transport: self.transport, logger: logger)
        sqs = SQSClient(configuration: configuration.aws, transport: self.transport, logger: logger)
        inputBucket = S3ObjectStore(s3: s3, bucket: configuration.inputBucket)
        processedBucket = S3ObjectStore(s3: s3, bucket: configuration.processedBucket)
        inputQueue = SQSMessageQueue(sqs: sqs, name: configuration.inputQueue)
        processedQueue = SQSMessageQueue(sqs: sqs, name: configuration.processedQueue)
    }

    public func shutdown() async throws {
        try await transport.shutdown()
    }
}
