import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import PipelineContract
import PipelineTestSupport
import Testing

@testable import Notifier

/// Reads a Server-Sent Events stream over a real connection.
final class SSEReader: @unchecked Sendable {
    let client: HTTPClient
    var iterator: HTTPClientResponse.Body.AsyncIterator
    var received = ""

    init(client: HTTPClient, iterator: HTTPClientResponse.Body.AsyncIterator) {
        self.client = client
        self.iterator = iterator
    }

    static func connect(port: Int, lastEventID: String? = nil, headers: [(String, String)] = []) async throws -> SSEReader {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/events")
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await client.execute(request, timeout: .seconds(30))
        #expect(response.headers.first(name: "Content-Type")?.hasPrefix("text/event-stream") == true)
        return SSEReader(client: client, iterator: response.body.makeAsyncIterator())
    }

    struct NotReceived: Error, CustomStringConvertible {
        var received: String
        var description: String { "the stream did not say what was awaited within 10 s; it said:\n\(received)" }
    }

    /// Reads until `done` holds for everything received so far; throws after 10 s (checked as
    /// frames or heartbeats arrive) or when the stream ends without it.
    func read(until done: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(10)
        while !done(received) {
            guard ContinuousClock.now < deadline, let chunk = try await iterator.next() else { throw NotReceived(received: received) }
            received += String(buffer: chunk)
        }
        return received
    }

    func close() async {
        try? await client.shutdown()
    }
}
