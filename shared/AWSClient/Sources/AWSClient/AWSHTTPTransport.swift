import NIOCore
import NIOHTTP1

/// One HTTP exchange as the AWS client needs it; the seam that tests replace with a fake.
public protocol AWSHTTPTransport: Sendable {
    /// Sends `request` and returns the whole response, or throws ``AWSError``
    /// (`.transport`, `.timeout`, `.responseTooLarge`).
    func execute(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse

    /// Sends `request` and returns as soon as the response head arrives; the body follows as a
    /// stream that the caller must read to the end (or drop, which cancels it).
    func stream(_ request: AWSHTTPRequest) async throws -> AWSStreamingResponse

    /// Closes the transport's connections; call it once, when done.
    func shutdown() async throws
}

extension AWSHTTPTransport {
    /// For transports that only collect (test fakes): the whole body as one chunk.
    public func stream(_ request: AWSHTTPRequest) async throws -> AWSStreamingResponse {
        let response = try await execute(request)
        return AWSStreamingResponse(status: response.status, headers: response.headers, body: AWSByteStream(response.body))
    }

    /// For transports that hold no connections (test fakes).
    public func shutdown() async throws {}
}

/// A response whose body is still arriving.
public struct AWSStreamingResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: AWSByteStream

    public init(status: Int, headers: HTTPHeaders, body: AWSByteStream) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// The chunks of a body as they arrive.
public struct AWSByteStream: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    let makeNext: @Sendable () -> (@Sendable () async throws -> ByteBuffer?)

    /// Wraps any sequence of chunks (AsyncHTTPClient's response body, for one).
    public init<Chunks: AsyncSequence & Sendable>(_ chunks: Chunks) where Chunks.Element == ByteBuffer {
        makeNext = {
            let box = IteratorBox(chunks.makeAsyncIterator())
            return { try await box.next() }
        }
    }

    /// A body already in memory.
    public init(_ buffer: ByteBuffer) {
        self.init((buffer.readableBytes == 0 ? [] : [buffer]).async)
    }

    public struct AsyncIterator: AsyncIteratorProtocol, Sendable {
        let next: @Sendable () async throws -> ByteBuffer?
        public mutating func next() async throws -> ByteBuffer? { try await next() }
        /// The next chunk, nil at the end: ``next()`` without `mutating`, so that a closure can
        /// hold the iterator and pass the chunks on.
        public func nextChunk() async throws -> ByteBuffer? { try await next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(next: makeNext()) }
}

/// Holds an iterator so that a closure can advance it; one consumer at a time, as for any iterator.
final class IteratorBox<Base: AsyncIteratorProtocol>: @unchecked Sendable where Base.Element == ByteBuffer {
    var base: Base
    init(_ base: Base) { self.base = base }
    func next() async throws -> ByteBuffer? { try await base.next() }
}

extension Array where Element == ByteBuffer {
    /// The chunks as an async sequence.
    var async: AsyncStream<ByteBuffer> {
        AsyncStream { continuation in
            for chunk in self { continuation.yield(chunk) }
            continuation.finish()
        }
    }
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
