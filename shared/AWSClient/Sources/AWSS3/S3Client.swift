import AWSClient
import AWSSigV4
import Logging
import NIOCore
import NIOHTTP1

/// The S3 operations this client offers, on the REST-XML protocol.
///
/// Objects are addressed path-style (`endpoint/bucket/key`) or virtual-hosted
/// (`bucket.endpoint/key`) as ``AWSConfiguration/s3ForcePathStyle`` says.
public struct S3Client: Sendable {
    public let client: AWSServiceClient

    public init(
        configuration: AWSConfiguration,
        transport: any AWSHTTPTransport,
        logger: Logger = Logger(label: "s3"),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        client = AWSServiceClient(
            configuration: configuration, service: "s3", uriMode: .s3, transport: transport,
            logger: logger, decodeError: S3Client.decodeError, sleep: sleep
        )
    }

    var configuration: AWSConfiguration { client.configuration }

    /// The endpoint and encoded path of a bucket, or of an object when `key` is given.
    func location(bucket: String, key: String? = nil) -> (endpoint: AWSEndpoint, path: String) {
        let encodedKey = key.map { URIEncoding.encode($0, keepSlash: true) } ?? ""
        var endpoint = configuration.customEndpoint(for: "s3") ?? AWSEndpoint(
            scheme: "https", host: configuration.region == "us-east-1" ? "s3.amazonaws.com" : "s3.\(configuration.region).\(configuration.dnsSuffix)"
        )
        // A dotted bucket name as a host label would not match the *.s3 TLS certificate.
        if configuration.s3ForcePathStyle || bucket.contains(".") {
            return (endpoint, "/\(URIEncoding.encode(bucket))" + (key == nil ? "" : "/\(encodedKey)"))
        }
        endpoint.host = "\(bucket).\(endpoint.host)"
        return (endpoint, "/" + encodedKey)
    }

    /// Encodes query parameters in order, skipping nil values.
    static func query(_ items: [(String, String?)]) -> String {
        items.compactMap { name, value in value.map { "\(URIEncoding.encode(name))=\(URIEncoding.encode($0))" } }
            .joined(separator: "&")
    }

    func call(
        _ operation: String, _ method: HTTPMethod, bucket: String, key: String? = nil, query: String = "",
        headers: [(name: String, value: String)] = [], body: ByteBuffer? = nil, maxResponseBytes: Int = 16 << 20
    ) async throws -> AWSHTTPResponse {
        let (endpoint, path) = location(bucket: bucket, key: key)
        return try await client.send(.init(
            operation: "S3.\(operation)", method: method, endpoint: endpoint, path: path, query: query,
            headers: headers, body: body, contentSHA256Header: true, maxResponseBytes: maxResponseBytes
        ))
    }

    /// Reads S3's XML error body; HEAD answers have none, so the status gives the code then.
    @Sendable static func decodeError(_ response: AWSHTTPResponse) -> AWSServiceError {
        let requestID = response.headers.first(name: "x-amz-request-id")
        if let error = AWSServiceError.fromXML(response.body, statusCode: response.status, requestID: requestID) {
            return error
        }
        let code = switch response.status {
        case 404: "NotFound"
        case 403: "Forbidden"
        case 400: "BadRequest"
        case 301: "PermanentRedirect"
        default: "HTTP\(response.status)"
        }
        return AWSServiceError(code: code, message: "", statusCode: response.status, requestID: requestID)
    }
}
