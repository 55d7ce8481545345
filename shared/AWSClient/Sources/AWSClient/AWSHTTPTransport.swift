import NIOCore
import NIOHTTP1

/// One HTTP exchange as the AWS client needs it; the seam that tests replace with a fake.
public protocol AWSHTTPTransport: Sendable {
    /// Sends `request` and returns the whole response, or throws ``AWSError``
    /// (`.transport`, `.timeout`, `.responseTooLarge`).
    func execute(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse
}

/// A signed request, ready to send.
public struct AWSHTTPRequest: Sendable {
    public var method: HTTPMethod
    /// Full URL: scheme, host, port, encoded path and query.
    public var url: String
    public var headers: HTTPHeaders
    public var body: ByteBuffer?
    /// The response body may not exceed this many bytes.
    public var maxResponseBytes: Int
    public var timeout: Duration
    /// The operation's name, for errors and logs (e.g. `S3.GetObject`).
    public var operation: String

    public init(
        method: HTTPMethod, url: String, headers: HTTPHeaders, body: ByteBuffer?,
        maxResponseBytes: Int, timeout: Duration, operation: String
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.maxResponseBytes = maxResponseBytes
        self.timeout = timeout
        self.operation = operation
    }
}

/// A whole response.
public struct AWSHTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: ByteBuffer

    public init(status: Int, headers: HTTPHeaders = [:], body: ByteBuffer = ByteBuffer()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var isSuccess: Bool { (200..<300).contains(status) }
}
