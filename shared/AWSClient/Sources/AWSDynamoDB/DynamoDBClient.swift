import AWSClient
import AWSSigV4
import Logging

/// The DynamoDB operations this client offers, on DynamoDB's JSON protocol
/// (`X-Amz-Target: DynamoDB_20120810.*`), signed as `dynamodb`.
public struct DynamoDBClient: Sendable {
    public let client: AWSServiceClient

    public init(
        configuration: AWSConfiguration,
        transport: any AWSHTTPTransport,
        logger: Logger = Logger(label: "dynamodb"),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        client = AWSServiceClient(
            configuration: configuration, service: "dynamodb", uriMode: .standard(normalize: true), transport: transport,
            logger: logger, decodeError: AWSServiceError.fromJSON, sleep: sleep
        )
    }

    func call<Output: Decodable>(_ action: String, _ input: some Encodable, as output: Output.Type) async throws -> Output {
        try await client.callJSON(
            action, targetPrefix: "DynamoDB_20120810", endpoint: client.configuration.endpoint(for: "dynamodb"), input, as: output
        )
    }

    /// Whether `error` is DynamoDB refusing a write because its condition did not hold.
    public static func isConditionFailure(_ error: any Error) -> Bool {
        (error as? AWSError)?.serviceCode == "ConditionalCheckFailedException"
    }
}

/// An empty JSON answer.
struct NoOutput: Decodable {}
