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

@Suite struct RouteTests {
    let id1 = "bbbbbbbb-0000-4000-8000-000000000001"
    let id2 = "bbbbbbbb-0000-4000-8000-000000000002"

    @Test func listOneAndBothImages() async throws {
        let harness = try NotifierHarness()
        let png = TestPNG.make(width: 3, height: 3)
        try await harness.upload(id1, "first.png", bytes: png)
        try await harness.upload(id2, "second.png")
        try await harness.process(id1, "first.png", bytes: [9, 9, 9])
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/images", method: .get) { response in
                #expect(response.status == .ok)
                let images = try jsonObject(response.body)["images"] as? [[String: Any]]
                #expect(images?.count == 2)
                let first = images?.first { $0["image_id"] as? String == id1 }
                #expect(first?["state"] as? String == "processed")
                #expect(first?["processed_url"] as? String == "/api/images/\(id1)/processed")
                let second = images?.first { $0["image_id"] as? String == id2 }
                #expect(second?["state"] as? String == "queued")
                #expect(second?["processed_url"] is NSNull)
            }
            try await client.execute(uri: "/api/images?limit=1", method: .get) { response in
                let body = try jsonObject(response.body)
                #expect((body["images"] as? [Any])?.count == 1)
                #expect(body["next_cursor"] is String)
            }
            try await client.execute(uri: "/api/images/\(id1)", method: .get) { response in
                let body = try jsonObject(response.body)
                #expect(body["filename"] as? String == "first.png")
            }
            try await client.execute(uri: "/api/images/\(id1)/original", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "image/png")
                #expect(Array(response.body.readableBytesView) == png)
                #expect(response.headers[.cacheControl]?.contains("immutable") == true)
                let etag = try #require(response.headers[.eTag])
                try await client.execute(uri: "/api/images/\(id1)/original", method: .get, headers: [.ifNoneMatch: etag]) { cached in
                    #expect(cached.status == .notModified)
                }
            }
            try await client.execute(uri: "/api/images/\(id1)/processed", method: .get) { response in
                #expect(Array(response.body.readableBytesView) == [9, 9, 9])
            }
            try await client.execute(uri: "/api/images/\(id2)/processed", method: .get) { response in
                #expect(response.status == .notFound)
                let body = try jsonObject(response.body)
                #expect(body["error"] as? String == "not_processed")
            }
            try await client.execute(uri: "/api/images/nope", method: .get) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/api/images?limit=0", method: .get) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test func pageConfigAndOperations() async throws {
        let harness = try NotifierHarness()
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).lowercased().contains("<!doctype html"))
            }
            try await client.execute(uri: "/api/config", method: .get) { response in
                let body = try jsonObject(response.body)
                #expect(body["upload_url"] as? String == "http://localhost:8081/upload")
            }
            try await client.execute(uri: "/healthz", method: .get) { response in #expect(response.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { response in #expect(response.status == .ok) }
            try await harness.upload(id1)
            try await client.execute(uri: "/api/refresh", method: .post) { response in
                let body = try jsonObject(response.body)
                #expect(body["images"] as? Int == 1)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("notifier_index_images 1"))
                #expect(text.contains("notifier_sse_clients"))
                #expect(text.contains("notifier_events_consumed_total"))
            }
        }
    }

    @Test func eventStreamCarriesChangesWithIDsAndHeartbeats() async throws {
        let harness = try NotifierHarness(heartbeat: .milliseconds(200))
        try await harness.upload(id1)
        try await harness.application.test(.live) { client in
            let port = try #require(client.port)
            let reader = try await SSEReader.connect(port: port)
            try await harness.process(id1)
            try await harness.consumer.consumeOnce()
            let frames = try await reader.read(until: { $0.contains("\"state\":\"processed\"") && $0.contains(": heartbeat") })
            #expect(frames.contains("event: image"))
            #expect(frames.contains("id: "))
            #expect(frames.contains("retry: 2000"))
            await reader.close()
            // Reconnecting with the last id replays what came after it.
            let lastID = try #require(frames.split(separator: "\n").last { $0.hasPrefix("id: ") }.map { String($0.dropFirst(4)) })
            let firstID = lastID.split(separator: ".").first.map { "\($0).0" } ?? ""
            let replay = try await SSEReader.connect(port: port, lastEventID: firstID)
            let replayed = try await replay.read(until: { $0.contains("\"state\":\"processed\"") })
            #expect(replayed.contains(id1))
            await replay.close()
            let stale = try await SSEReader.connect(port: port, lastEventID: "someotherboot.5")
            #expect(try await stale.read(until: { $0.contains("event: resync") }).contains("resync"))
            await stale.close()
        }
    }
}

/// Reads a Server-Sent Events stream over a real connection.
final class SSEReader: @unchecked Sendable {
    let client: HTTPClient
    var iterator: HTTPClientResponse.Body.AsyncIterator
    var received = ""

    init(client: HTTPClient, iterator: HTTPClientResponse.Body.AsyncIterator) {
        self.client = client
        self.iterator = iterator
    }

    static func connect(port: Int, lastEventID: String? = nil) async throws -> SSEReader {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/events")
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
        let response = try await client.execute(request, timeout: .seconds(30))
        #expect(response.headers.first(name: "Content-Type")?.hasPrefix("text/event-stream") == true)
        return SSEReader(client: client, iterator: response.body.makeAsyncIterator())
    }

    /// Reads until `done` holds for everything received so far (10 s at most).
    func read(until done: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(10)
        while !done(received), ContinuousClock.now < deadline {
            guard let chunk = try await iterator.next() else { break }
            received += String(buffer: chunk)
        }
        return received
    }

    func close() async {
        try? await client.shutdown()
    }
}
