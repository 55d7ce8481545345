import Foundation
import NIOCore
import NIOHTTP1
import Testing

@testable import AWSClient
import AWSTestSupport

/// The real transports' two clocks: a call's timeout bounds the wait for the response head; once
/// the head is in, only the read timeout (silence) ends it, so a large body is not cut off midway.
@Suite struct AWSHTTPTransportTests {
    func request(port: Int, timeout: Duration) -> AWSHTTPRequest {
        AWSHTTPRequest(
            method: .GET, url: "http://127.0.0.1:\(port)/bucket/key", headers: ["Host": "127.0.0.1"], body: nil,
            maxResponseBytes: 1 << 20, timeout: timeout, operation: "S3.GetObject"
        )
    }

    @Test(arguments: TransportKind.allCases) func noResponseHeadEndsAtTheCallsTimeout(_ kind: TransportKind) async throws {
        let server = try ScriptedServer(chunks: [])  // reads the request, answers nothing
        defer { server.stop() }
        let transport = kind.make(readTimeout: .seconds(20))
        let started = ContinuousClock.now
        await #expect {
            _ = try await transport.execute(request(port: server.port, timeout: .milliseconds(300)))
        } throws: { error in
            if case .timeout(operation: "S3.GetObject", _) = error as? AWSError { return true }
            return false
        }
        #expect(ContinuousClock.now - started < .seconds(10))
        try await transport.shutdown()
    }

    @Test(arguments: TransportKind.allCases) func aBodyThatKeepsComingOutlivesTheCallsTimeout(_ kind: TransportKind) async throws {
        // The head at once, then fifteen parts 200 ms apart: three seconds in all, three times the
        // timeout (which leaves a busy test run time to connect and get the head).
        let body = Array(repeating: "0123456789", count: 15)
        let head = "HTTP/1.1 200 OK\r\nContent-Length: \(body.joined().utf8.count)\r\nContent-Type: text/plain\r\n\r\n"
        let server = try ScriptedServer(chunks: [(head, .zero)] + body.map { ($0, .milliseconds(200)) })
        defer { server.stop() }
        let transport = kind.make(readTimeout: .seconds(5))
        let response = try await transport.execute(request(port: server.port, timeout: .seconds(1)))
        #expect(response.status == 200)
        #expect(String(buffer: response.body) == body.joined())
        try await transport.shutdown()
    }

    @Test(arguments: TransportKind.allCases) func aBodyThatStallsEndsAtTheReadTimeout(_ kind: TransportKind) async throws {
        let head = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
        let server = try ScriptedServer(chunks: [(head, .zero), ("only ten b", .zero)])
        defer { server.stop() }
        let transport = kind.make(readTimeout: .milliseconds(500))
        await #expect {
            _ = try await transport.execute(request(port: server.port, timeout: .seconds(20)))
        } throws: { error in
            if case .timeout = error as? AWSError { return true }
            return false
        }
        try await transport.shutdown()
    }
}

/// A one-connection HTTP server on 127.0.0.1 that reads the request and writes a script of
/// chunks, each after its delay, then holds the connection open until stopped.
final class ScriptedServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let stopped = DispatchSemaphore(value: 0)

    init(chunks: [(String, Duration)]) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, bound == 0, listen(fd, 4) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let stopped = stopped
        Thread.detachNewThread {
            let connection = accept(fd, nil, nil)
            guard connection >= 0 else { return }
            var request = [UInt8](repeating: 0, count: 4096)
            _ = read(connection, &request, request.count)
            for (text, delay) in chunks {
                if delay > .zero { Thread.sleep(forTimeInterval: Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18) }
                _ = text.withCString { write(connection, $0, strlen($0)) }
            }
            stopped.wait()
            close(connection)
        }
    }

    func stop() {
        stopped.signal()
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}
