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
        let body = try JSONEncoder().encode(input)
        let response = try await client.send(.init(
            operation: "SQS.\(action)", method: .POST, endpoint: client.configuration.endpoint(for: "sqs"), path: "/",
            headers: [
                (name: "Content-Type", value: "application/x-amz-json-1.0"),
                (name: "X-Amz-Target", value: "AmazonSQS.\(action)"),
            ],
            body: ByteBuffer(bytes: body), timeout: timeout
        ))
        let bytes = response.body.readableBytes == 0 ? Data("{}".utf8) : Data(response.body.readableBytesView)
        do {
            return try JSONDecoder().decode(Output.self, from: bytes)
        } catch {
            throw AWSError.invalidResponse("SQS.\(action): \(error)")
        }
    }

    /// Reads the JSON error body: `__type` as `Foo` or `com.amazonaws.sqs#Foo`, `message` or `Message`.
    @Sendable static func decodeError(_ response: AWSHTTPResponse) -> AWSServiceError {
        struct Body: Decodable {
            var type: String?
            var message: String?
            var Message: String?
            enum CodingKeys: String, CodingKey { case type = "__type", message, Message }
        }
        let requestID = response.headers.first(name: "x-amzn-RequestId") ?? response.headers.first(name: "x-amz-request-id")
        let body = try? JSONDecoder().decode(Body.self, from: Data(response.body.readableBytesView))
        // Authentication failures come back as XML even on the JSON protocol.
        if body == nil, let error = AWSServiceError.fromXML(response.body, statusCode: response.status, requestID: requestID) {
            return error
        }
        // The query-compatible header carries the legacy code (e.g. AWS.SimpleQueueService.NonExistentQueue).
        let legacy = response.headers.first(name: "x-amzn-query-error").flatMap { $0.split(separator: ";").first.map { AWSServiceError.normalizedCode(String($0)) } }
        let code = body?.type.map(AWSServiceError.normalizedCode) ?? legacy ?? "HTTP\(response.status)"
        return AWSServiceError(code: code, message: body?.message ?? body?.Message ?? "", statusCode: response.status, requestID: requestID)
    }
}

/// Queue URLs by name: GetQueueUrl is asked once per queue.
final class QueueURLCache: Sendable {
    private let urls = Mutex<[String: String]>([:])

    func get(_ name: String) -> String? { urls.withLock { $0[name] } }
    func set(_ name: String, _ url: String) { urls.withLock { $0[name] = url } }
}
