import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing

@testable import AWSClient

/// The lean transport's own promises: URLs taken apart as the endpoints build them, connections
/// kept and reused, a connection the server dropped while idle replaced without an error, limits.
@Suite struct NIOHTTPTransportTests {
    func request(_ server: KeepAliveServer, path: String = "/bucket/key", method: HTTPMethod = .GET, limit: Int = 1 << 20)
        -> AWSHTTPRequest
    {
        AWSHTTPRequest(
            method: method, url: "http://127.0.0.1:\(server.port)\(path)", headers: ["Host": "127.0.0.1"], body: nil,
            maxResponseBytes: limit, timeout: .seconds(5), operation: "S3.GetObject"
        )
    }

    @Test func urlsAreTakenApart() throws {
        let plain = try NIOHTTPTransport.Target(url: "http://127.0.0.1:4566/bucket/a%20b?list-type=2&prefix=p")
        #expect(plain.origin == .init(scheme: .http, host: "127.0.0.1", port: 4566))
        #expect(plain.uri == "/bucket/a%20b?list-type=2&prefix=p")
        let secure = try NIOHTTPTransport.Target(url: "https://sqs.eu-west-1.amazonaws.com")
        #expect(secure.origin == .init(scheme: .https, host: "sqs.eu-west-1.amazonaws.com", port: 443))
        #expect(secure.uri == "/")
        #expect(!secure.origin.isIPAddress)
        let query = try NIOHTTPTransport.Target(url: "http://localhost?Action=ListQueues")
        #expect(query.origin.port == 80)
        #expect(query.uri == "/?Action=ListQueues")
        let v6 = try NIOHTTPTransport.Target(url: "http://[::1]:9000/b")
        #expect(v6.origin.host == "::1" && v6.origin.port == 9000 && v6.origin.isIPAddress)
        for bad in ["ftp://host/x", "127.0.0.1:4566/b", "http://:80/b", "http://host:99999/b", "http://host:port/b"] {
            #expect(throws: AWSError.self) { try NIOHTTPTransport.Target(url: bad) }
        }
    }

    @Test func oneConnectionCarriesCallAfterCall() async throws {
        let server = try await KeepAliveServer { _, _ in .answer("hello") }
        let transport = NIOHTTPTransport()
        for _ in 0..<5 {
            let response = try await transport.execute(request(server))
            #expect(response.status == 200)
            #expect(String(buffer: response.body) == "hello")
        }
        #expect(server.connections == 1)
        #expect(server.requests == 5)
        try await transport.shutdown()
        try await server.stop()
    }

    @Test func aConnectionDroppedWhileIdleIsReplacedWithoutAnError() async throws {
        // The second request on a connection finds it closed, as when a server's idle timeout
        // strikes just as the request leaves.
        let server = try await KeepAliveServer { _, onConnection in onConnection == 2 ? .dropConnection : .answer("fine") }
        let transport = NIOHTTPTransport()
        for _ in 0..<3 {
            let response = try await transport.execute(request(server))
            #expect(String(buffer: response.body) == "fine")
        }
        // Calls 2 and 3 each found their connection dropped and went again on a new one.
        #expect(server.connections == 3)
        #expect(server.requests == 5)
        try await transport.shutdown()
        try await server.stop()
    }

    @Test func aDroppedConnectionOnANewConnectionIsATransportError() async throws {
        let server = try await KeepAliveServer { _, _ in .dropConnection }
        let transport = NIOHTTPTransport()
        await #expect {
            _ = try await transport.execute(request(server))
        } throws: { error in
            if case .transport = error as? AWSError { return true }
            return false
        }
        try await transport.shutdown()
        try await server.stop()
    }

    @Test func aBodyOverTheLimitIsRefusedAndAnErrorDocumentIsNot() async throws {
        let server = try await KeepAliveServer { head, _ in
            head.uri == "/error" ? .answer(String(repeating: "e", count: 2_000), status: .forbidden) : .answer(String(repeating: "x", count: 2_000))
        }
        let transport = NIOHTTPTransport()
        await #expect {
            _ = try await transport.execute(request(server, limit: 1_000))
        } throws: { error in
            if case .responseTooLarge(limit: 1_000) = error as? AWSError { return true }
            return false
        }
        let denied = try await transport.execute(request(server, path: "/error", limit: 1_000))
        #expect(denied.status == 403 && denied.body.readableBytes == 2_000)
        // A HEAD answer declares a length over the limit but has no body.
        let head = try await transport.execute(request(server, method: .HEAD, limit: 10))
        #expect(head.status == 200 && head.body.readableBytes == 0)
        try await transport.shutdown()
        try await server.stop()
    }

    /// `https` speaks TLS: against a plain-HTTP server the handshake fails, as a transport error.
    @Test func httpsSpeaksTLS() async throws {
        let server = try await KeepAliveServer { _, _ in .answer("plain") }
        let transport = NIOHTTPTransport()
        await #expect {
            _ = try await transport.execute(
                AWSHTTPRequest(method: .GET, url: "https://127.0.0.1:\(server.port)/", headers: [:], body: nil, maxResponseBytes: 1024, timeout: .seconds(5), operation: "S3.GetObject")
            )
        } throws: { error in
            if case .transport = error as? AWSError { return true }
            return false
        }
        #expect(server.requests == 0, "no plain request reached the server")
        try await transport.shutdown()
        try await server.stop()
    }

    @Test func aConnectionThatCannotBeOpenedIsATransportError() async throws {
        // A port just freed: nothing listens there.
        let server = try await KeepAliveServer { _, _ in .answer("") }
        let port = server.port
        try await server.stop()
        let transport = NIOHTTPTransport(connectTimeout: .seconds(2))
        await #expect {
            _ = try await transport.execute(
                AWSHTTPRequest(method: .GET, url: "http://127.0.0.1:\(port)/", headers: [:], body: nil, maxResponseBytes: 1024, timeout: .seconds(5), operation: "S3.GetObject")
            )
        } throws: { error in
            if case .transport = error as? AWSError { return true }
            return false
        }
        try await transport.shutdown()
    }
}

/// An HTTP/1.1 server on 127.0.0.1 that keeps connections open and answers each request as a
/// script says (given the request head and the request's number on its connection, from 1).
final class KeepAliveServer: Sendable {
    enum Reply: Sendable {
        case answer(String, status: HTTPResponseStatus = .ok)
        /// Closes the connection without answering.
        case dropConnection
    }

    let port: Int
    private let channel: any Channel
    private let counts = Counts()

    var connections: Int { counts.value.withLock { $0.connections } }
    var requests: Int { counts.value.withLock { $0.requests } }

    final class Counts: Sendable {
        let value = Mutex((connections: 0, requests: 0))
    }

    init(_ script: @escaping @Sendable (HTTPRequestHead, Int) -> Reply) async throws {
        let counts = counts
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                counts.value.withLock { $0.connections += 1 }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Responder(script: script, counts: counts))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    func stop() async throws {
        try await channel.close()
    }

    final class Responder: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let script: @Sendable (HTTPRequestHead, Int) -> Reply
        let counts: Counts
        var onConnection = 0
        var head: HTTPRequestHead?

        init(script: @escaping @Sendable (HTTPRequestHead, Int) -> Reply, counts: Counts) {
            self.script = script
            self.counts = counts
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): self.head = head
            case .body: break
            case .end:
                guard let head else { return }
                onConnection += 1
                counts.value.withLock { $0.requests += 1 }
                switch script(head, onConnection) {
                case .dropConnection:
                    context.close(promise: nil)
                case .answer(let text, let status):
                    var headers = HTTPHeaders([("Content-Length", String(text.utf8.count))])
                    headers.add(name: "Content-Type", value: "text/plain")
                    context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
                    if head.method != .HEAD {
                        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
                    }
                    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                }
            }
        }
    }
}
