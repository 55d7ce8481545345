import AWSClient
import AWSSigV4
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// The SQS operations this client offers, on SQS's JSON protocol (`X-Amz-Target: AmazonSQS.*`).
public struct SQSClient: Sendable {
    public let client: AWSServiceClient
    let queueURLs: QueueURLCache

    public init(
        configuration: AWSConfiguration,
        transport: any AWSHTTPTransport,
        logger: Logger = Logger(label: "sqs"),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        client = AWSServiceClient(
            configuration: configuration, service: "sqs", uriMode: .standard(normalize: true), transport: transport,
            logger: logger, decodeError: SQSClient.decodeError, sleep: sleep
        )
        queueURLs = QueueURLCache()
    }

    /// Calls `AmazonSQS.<action>` with a JSON body and decodes the JSON answer.
    func call<Output: Decodable>(
        _ action: String, _ input: some Encodable, as output: Output.Type, timeout: Duration? = nil
    ) async throws -> Output {
        try await client.callJSON(
            action, targetPrefix: "AmazonSQS", endpoint: client.configuration.endpoint(for: "sqs"), input, as: output, timeout: timeout
        )
    }

    /// SQS answers errors in AWS's JSON shape (``AWSServiceError/fromJSON(_:)``).
    @Sendable static func decodeError(_ response: AWSHTTPResponse) -> AWSServiceError {
        AWSServiceError.fromJSON(response)
    }
}

/// Queue URLs by name: GetQueueUrl is asked once per queue.
final class QueueURLCache: Sendable {
    private let urls = Mutex<[String: String]>([:])

    func get(_ name: String) -> String? { urls.withLock { $0[name] } }
    func set(_ name: String, _ url: String) { urls.withLock { $0[name] = url } }
}
