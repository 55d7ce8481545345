import Foundation
import NIOCore
import NIOHTTP1

extension AWSServiceError {
    /// Reads an error of AWS's JSON protocols (SQS, DynamoDB, DynamoDB Streams): `__type` as `Foo`
    /// or `com.amazonaws.sqs#Foo`, `message` or `Message`. Authentication failures may come back as
    /// XML even there, and SQS's query-compatible header carries its legacy code.
    public static func fromJSON(_ response: AWSHTTPResponse) -> AWSServiceError {
        struct Body: Decodable {
            var type: String?
            var message: String?
            var Message: String?
            enum CodingKeys: String, CodingKey { case type = "__type", message, Message }
        }
        let requestID = response.headers.first(name: "x-amzn-RequestId") ?? response.headers.first(name: "x-amz-request-id")
        let body = try? JSONDecoder().decode(Body.self, from: Data(response.body.readableBytesView))
        if body == nil, let error = AWSServiceError.fromXML(response.body, statusCode: response.status, requestID: requestID) {
            return error
        }
        let legacy = response.headers.first(name: "x-amzn-query-error").flatMap { $0.split(separator: ";").first.map { normalizedCode(String($0)) } }
        let code = body?.type.map(normalizedCode) ?? legacy ?? "HTTP\(response.status)"
        return AWSServiceError(code: code, message: body?.message ?? body?.Message ?? "", statusCode: response.status, requestID: requestID)
    }
}

extension AWSServiceClient {
    /// One call of a JSON-protocol service: `POST /` with `X-Amz-Target: {targetPrefix}.{action}`
    /// and a JSON body, answered with JSON (an empty answer reads as `{}`).
    public func callJSON<Output: Decodable>(
        _ action: String, targetPrefix: String, endpoint: AWSEndpoint, _ input: some Encodable, as output: Output.Type,
        contentType: String = "application/x-amz-json-1.0", timeout: Duration? = nil
    ) async throws -> Output {
        let operation = "\(targetPrefix).\(action)"
        let body = try JSONEncoder().encode(input)
        let response = try await send(.init(
            operation: operation, method: .POST, endpoint: endpoint, path: "/",
            headers: [(name: "Content-Type", value: contentType), (name: "X-Amz-Target", value: operation)],
            body: ByteBuffer(bytes: body), timeout: timeout
        ))
        let bytes = response.body.readableBytes == 0 ? Data("{}".utf8) : Data(response.body.readableBytesView)
        do {
            return try JSONDecoder().decode(Output.self, from: bytes)
        } catch {
            throw AWSError.invalidResponse("\(operation): \(error)")
        }
    }
}
