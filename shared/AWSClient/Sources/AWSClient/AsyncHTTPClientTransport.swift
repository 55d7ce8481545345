import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// The real transport, on AsyncHTTPClient with its own connection pool.
///
/// Call ``shutdown()`` once when done (services do it when their lifecycle ends).
public final class AsyncHTTPClientTransport: AWSHTTPTransport {
    let client: HTTPClient

    /// - Parameters:
    ///   - connectionsPerHost: the pool's soft limit of HTTP/1.1 connections per host.
    ///   - connectTimeout: the time allowed to open a connection.
    ///   - readTimeout: the longest silence while a response arrives. The per-call deadline ends
    ///     with the response head; this bounds a body that stalls after it.
    public init(connectionsPerHost: Int = 64, connectTimeout: Duration = .seconds(5), readTimeout: Duration = .seconds(30)) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .nanoseconds(connectTimeout.totalNanoseconds)
        configuration.timeout.read = .nanoseconds(readTimeout.totalNanoseconds)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connectionsPerHost)
        configuration.decompression = .disabled
        configuration.redirectConfiguration = .disallow
        // No tracer is installed: without this, every request still builds a no-op span and its
        // attributes.
        configuration.tracing.tracer = nil
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func execute(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
        try await mappingErrors(of: request) {
            let response = try await client.execute(outgoing(request), timeout: timeAmount(request.timeout))
            // The limit is for the object asked for; an error document is read whole (it is small).
            let limit = (200..<300).contains(response.status.code) ? request.maxResponseBytes : max(request.maxResponseBytes, 64 * 1024)
            let body = try await Self.collect(response, upTo: limit)
            return AWSHTTPResponse(status: Int(response.status.code), headers: response.headers, body: body)
        }
    }

    /// The whole body, refused past `limit`. The buffer is made the declared size at once, not
    /// doubled as it grows (docs/performance.md#response-bodies-collected-at-their-declared-size).
    static func collect(_ response: HTTPClientResponse, upTo limit: Int) async throws -> ByteBuffer {
        let declared = response.headers.first(name: "Content-Length").flatMap { Int($0) }
        if let declared, declared > limit { throw NIOTooManyBytesError(maxBytes: limit) }
        var buffer = ByteBufferAllocator().buffer(capacity: declared ?? 0)
        for try await chunk in response.body {
            guard chunk.readableBytes <= limit - buffer.readableBytes else { throw NIOTooManyBytesError(maxBytes: limit) }
            buffer.writeImmutableBuffer(chunk)
        }
        return buffer
    }

    public func stream(_ request: AWSHTTPRequest) async throws -> AWSStreamingResponse {
        try await mappingErrors(of: request) {
            let response = try await client.execute(outgoing(request), timeout: timeAmount(request.timeout))
            return AWSStreamingResponse(status: Int(response.status.code), headers: response.headers, body: AWSByteStream(response.body))
        }
    }

    /// Turns AsyncHTTPClient's and NIO's errors into ``AWSError``s (cancellation stays as it is).
    func mappingErrors<Result>(of request: AWSHTTPRequest, _ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch is NIOTooManyBytesError {
            throw AWSError.responseTooLarge(limit: request.maxResponseBytes)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw AWSError.timeout(operation: request.operation, seconds: request.timeout.totalSeconds)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw AWSError.transport(String(describing: error))
        }
    }

    func outgoing(_ request: AWSHTTPRequest) -> HTTPClientRequest {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = request.method
        outgoing.headers = request.headers
        if let body = request.body {
            outgoing.body = .bytes(body)
        }
        return outgoing
    }

    func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(duration.totalNanoseconds)
    }

    /// Closes the pool's connections.
    public func shutdown() async throws {
        try await client.shutdown()
    }
}
