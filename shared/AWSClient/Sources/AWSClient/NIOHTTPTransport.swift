import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A lean HTTP/1.1 transport straight on SwiftNIO, for services that only ever want whole
/// responses (the processor).
///
/// It does what the AWS calls need and no more: keep-alive connections per host, the call's
/// deadline on the response head, a read timeout on a body that stalls, the size limit, TLS for
/// `https`. A call is one write to a pooled connection and one promise back, where
/// AsyncHTTPClient runs a pool state machine, a request task and an async body sequence per call.
///
/// ``stream(_:)`` is not its job: it collects the whole body first (the protocol's default).
/// Services that stream large objects (the notifier) use ``AsyncHTTPClientTransport``.
///
/// Call ``shutdown()`` once when done.
public final class NIOHTTPTransport: AWSHTTPTransport {
    let connectTimeout: Duration
    let readTimeout: Duration
    /// An idle connection older than this is closed instead of reused.
    let idleTimeout: Duration
    let maxIdlePerHost: Int
    /// Made on the first `https` connection: loading the trust roots is start-up work an
    /// emulator on plain HTTP never needs.
    private let tls = Mutex<Result<NIOSSLContext, any Error>?>(nil)
    private let pool = Mutex(Pool())

    /// - Parameters:
    ///   - connectTimeout: the time allowed to open a connection.
    ///   - readTimeout: the longest silence while a response body arrives. The call's own timeout
    ///     ends with the response head.
    ///   - maxIdlePerHost: connections kept open for reuse, per host.
    public init(
        connectTimeout: Duration = .seconds(5), readTimeout: Duration = .seconds(30), idleTimeout: Duration = .seconds(50),
        maxIdlePerHost: Int = 64
    ) {
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.idleTimeout = idleTimeout
        self.maxIdlePerHost = maxIdlePerHost
    }

    struct Pool {
        var idle: [Origin: [IdleConnection]] = [:]
        var shutDown = false
    }

    struct IdleConnection {
        let channel: any Channel
        let since: ContinuousClock.Instant
    }

    public func execute(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
        let target = try Target(url: request.url)
        let deadline = NIODeadline.now() + .nanoseconds(request.timeout.totalNanoseconds)
        if let channel = takeIdle(target.origin) {
            do {
                return try await exchange(request, target: target, deadline: deadline, on: channel)
            } catch let failure as ExchangeFailure {
                // A server closes an idle connection when it likes; if it did so before answering,
                // the request goes once more, on a new connection.
                guard failure.isLostConnection else { throw awsError(failure.reason, request: request) }
            }
        }
        let channel = try await connect(target.origin, deadline: deadline, operation: request.operation)
        do {
            return try await exchange(request, target: target, deadline: deadline, on: channel)
        } catch let failure as ExchangeFailure {
            throw awsError(failure.reason, request: request)
        }
    }

    /// One request and its response on `channel`; the channel goes back to the pool if the
    /// response allows it, and is closed otherwise.
    func exchange(_ request: AWSHTTPRequest, target: Target, deadline: NIODeadline, on channel: any Channel) async throws
        -> AWSHTTPResponse
    {
        var headers = request.headers
        if let body = request.body {
            headers.replaceOrAdd(name: "Content-Length", value: String(body.readableBytes))
        } else if request.method == .POST || request.method == .PUT {
            headers.replaceOrAdd(name: "Content-Length", value: "0")
        }
        let exchange = Exchange(
            head: HTTPRequestHead(version: .http1_1, method: request.method, uri: target.uri, headers: headers),
            body: request.body, deadline: deadline, readTimeout: .nanoseconds(readTimeout.totalNanoseconds),
            limit: request.maxResponseBytes, promise: channel.eventLoop.makePromise()
        )
        let result: Exchange.Result
        do {
            result = try await withTaskCancellationHandler {
                channel.writeAndFlush(exchange).whenFailure { error in
                    exchange.finish(.failure(ExchangeFailure(reason: .io(error), answered: false)))
                }
                return try await exchange.promise.futureResult.get()
            } onCancel: {
                channel.close(promise: nil)
            }
        } catch {
            channel.close(promise: nil)
            if Task.isCancelled { throw CancellationError() }
            throw error
        }
        if result.keepAlive {
            putIdle(channel, origin: target.origin)
        } else {
            channel.close(promise: nil)
        }
        return result.response
    }

    /// Opens a connection to `origin`, on the calling task's event loop when it runs on one (no
    /// thread hop between the task and its I/O).
    func connect(_ origin: Origin, deadline: NIODeadline, operation: String) async throws -> any Channel {
        let remaining = deadline - .now()
        let limit = min(TimeAmount.nanoseconds(connectTimeout.totalNanoseconds), remaining)
        guard limit > .zero else { throw AWSError.timeout(operation: operation, seconds: connectTimeout.totalSeconds) }
        let tls: NIOSSLContext?
        if origin.scheme == .https {
            do {
                tls = try self.tls.withLock { made in
                    if made == nil { made = Result { try NIOSSLContext(configuration: .makeClientConfiguration()) } }
                    return made
                }?.get()
            } catch {
                throw AWSError.transport("TLS is not available: \(error)")
            }
        } else {
            tls = nil
        }
        let serverName = origin.isIPAddress ? nil : origin.host
        let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? MultiThreadedEventLoopGroup.singleton.next()
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(limit)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            // Reads of up to 256 KiB, not NIO's 64: fewer reads per image (docs/performance.md#large-socket-reads).
            .channelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 1024, initial: 16 * 1024, maximum: 256 * 1024))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls {
                        try pipeline.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName))
                    }
                    try pipeline.addHTTPClientHandlers()
                    try pipeline.addHandler(ExchangeHandler())
                }
            }
        do {
            if origin.isIPAddress, let address = try? SocketAddress(ipAddress: origin.host, port: origin.port) {
                // No name to resolve (the emulator's 127.0.0.1).
                return try await bootstrap.connect(to: address).get()
            }
            return try await bootstrap.connect(host: origin.host, port: origin.port).get()
        } catch {
            throw AWSError.transport("cannot connect to \(origin.host):\(origin.port): \(error)")
        }
    }

    /// A kept connection to `origin`, preferably one on the calling thread's event loop.
    func takeIdle(_ origin: Origin) -> (any Channel)? {
        let now = ContinuousClock.now
        let (channel, expired) = pool.withLock { pool -> ((any Channel)?, [any Channel]) in
            guard var idle = pool.idle[origin], !idle.isEmpty else { return (nil, []) }
            var expired: [any Channel] = []
            idle.removeAll { connection in
                let old = now - connection.since > idleTimeout || !connection.channel.isActive
                if old { expired.append(connection.channel) }
                return old
            }
            let index = idle.lastIndex { $0.channel.eventLoop.inEventLoop } ?? idle.indices.last
            let channel = index.map { idle.remove(at: $0).channel }
            pool.idle[origin] = idle
            return (channel, expired)
        }
        for old in expired { old.close(promise: nil) }
        return channel
    }

    func putIdle(_ channel: any Channel, origin: Origin) {
        let kept = pool.withLock { pool -> Bool in
            guard !pool.shutDown, pool.idle[origin, default: []].count < maxIdlePerHost else { return false }
            pool.idle[origin, default: []].append(IdleConnection(channel: channel, since: .now))
            return true
        }
        if !kept { channel.close(promise: nil) }
    }

    /// Closes the kept connections; the ones busy now close when their call ends.
    public func shutdown() async throws {
        let channels = pool.withLock { pool -> [any Channel] in
            pool.shutDown = true
            defer { pool.idle.removeAll() }
            return pool.idle.values.flatMap { $0.map(\.channel) }
        }
        for channel in channels {
            try? await channel.close()
        }
    }

    func awsError(_ reason: ExchangeFailure.Reason, request: AWSHTTPRequest) -> AWSError {
        switch reason {
        case .timeout: .timeout(operation: request.operation, seconds: request.timeout.totalSeconds)
        case .tooLarge: .responseTooLarge(limit: request.maxResponseBytes)
        case .closed: .transport("the connection closed before the response was complete")
        case .io(let error): .transport(String(describing: error))
        }
    }
}

extension NIOHTTPTransport {
    /// Where connections go: scheme, host and port.
    struct Origin: Hashable, Sendable {
        enum Scheme: Sendable { case http, https }
        var scheme: Scheme
        var host: String
        var port: Int

        var isIPAddress: Bool {
            host.contains(":") || host.allSatisfy { $0.isNumber || $0 == "." }
        }
    }

    /// A request URL taken apart: the origin, and the path with its query for the request line.
    struct Target: Sendable {
        var origin: Origin
        var uri: String

        /// Parses `scheme://host[:port][/path][?query]` as the endpoints build them.
        init(url: String) throws {
            guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else {
                throw AWSError.transport("not a URL: \(url)")
            }
            let scheme: Origin.Scheme
            switch url[..<colon].lowercased() {
            case "http": scheme = .http
            case "https": scheme = .https
            default: throw AWSError.transport("unsupported URL scheme: \(url)")
            }
            let rest = url[url.index(colon, offsetBy: 3)...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            var host: Substring
            var port: Substring?
            if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
                host = authority[authority.index(after: authority.startIndex)..<close]
                let after = authority[authority.index(after: close)...]
                port = after.hasPrefix(":") ? after.dropFirst() : nil
            } else if let colon = authority.lastIndex(of: ":") {
                host = authority[..<colon]
                port = authority[authority.index(after: colon)...]
            } else {
                host = authority
            }
            guard !host.isEmpty else { throw AWSError.transport("no host in URL: \(url)") }
            let portNumber: Int
            if let port {
                guard let number = Int(port), (1...65535).contains(number) else { throw AWSError.transport("bad port in URL: \(url)") }
                portNumber = number
            } else {
                portNumber = scheme == .https ? 443 : 80
            }
            let path = rest[authorityEnd...]
            origin = Origin(scheme: scheme, host: String(host), port: portNumber)
            uri = path.hasPrefix("/") ? String(path) : "/" + path
        }
    }
}
