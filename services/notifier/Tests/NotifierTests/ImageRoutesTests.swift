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

/// The JSON API: the list, one image, both images, the page's configuration.
@Suite struct ImageRoutesTests {
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
            try await client.execute(uri: "/api/openapi.yaml", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(response.status == .ok && text.hasPrefix("openapi: 3.1.0"))
                #expect(text.contains("/api/results.zip") && text.contains("ZIP_MAX_IMAGES") && text.contains("too_many_streams"))
            }
            try await client.execute(uri: "/api/refresh", method: .post) { response in
                #expect(response.status == .notFound, "the table is the index: nothing to refresh")
            }
            // Readiness details and metrics are the ops port's only.
            for path in ["/readyz", "/metrics", "/metrics/", "//metrics"] {
                try await client.execute(uri: path, method: .get) { response in #expect(response.status == .notFound, "\(path)") }
            }
        }
        try await harness.opsApplication.test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in #expect(response.status == .ok) }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("notifier_sse_clients"))
                #expect(text.contains("notifier_events_consumed_total"))
            }
        }
    }
}

/// Pages come from the table: each owner's own, a cursor to the next, and the list says it is
/// unavailable (503) when the table is, rather than answering an empty list.
@Suite struct ImageRoutesTableTests {
    @Test func anotherOwnersImageIsNotFoundAndPagesAreTheOwners() async throws {
        let harness = try NotifierHarness()
        let mine = "dddddddd-0000-4000-8000-000000000001"
        let theirs = "dddddddd-0000-4000-8000-000000000002"
        try await harness.upload(mine)
        try await harness.upload(theirs, owner: "someone-else")
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/images", method: .get) { response in
                let images = try jsonObject(response.body)["images"] as? [[String: Any]]
                #expect(images?.compactMap { $0["image_id"] as? String } == [mine])
            }
            for uri in ["/api/images/\(theirs)", "/api/images/\(theirs)/original"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .notFound, "\(uri)")
                }
            }
            try await client.execute(uri: "/api/images?cursor=bm9wZQ", method: .get) { response in
                let body = try jsonObject(response.body)
                #expect(response.status == .badRequest)
                #expect(body["error"] as? String == "invalid_cursor")
            }
            harness.table.fail(.read)
            try await client.execute(uri: "/api/images", method: .get) { response in
                let body = try jsonObject(response.body)
                #expect(response.status == .serviceUnavailable)
                #expect(body["error"] as? String == "unavailable")
                #expect(response.headers[.retryAfter] != nil)
            }
            try await client.execute(uri: "/api/images/\(mine)", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
            }
        }
        harness.table.fail(.reachability)
        try await harness.opsApplication.test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("dynamodb"))
            }
        }
    }
}
