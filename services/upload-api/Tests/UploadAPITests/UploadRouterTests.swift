import Foundation
import Hummingbird
import HummingbirdTesting
import PipelineContract
import PipelineService
import PipelineTestSupport
import Testing

@testable import UploadAPI

/// The upload API's router as built: 405 with `Allow`, nosniff, control characters, CORS, the
/// operational routes.
@Suite struct UploadRouterTests {
    @Test(arguments: ["/upload", "/healthz", "/openapi.yaml"])
    func anUndeclaredMethodIs405WithAllow(_ path: String) async throws {
        let harness = try UploadHarness()
        for method in [HTTPRequest.Method("TRACE")!, .put, .delete] {
            try await harness.send(path, method: method) { response in
                #expect(response.status == .methodNotAllowed, "\(method) \(path)")
                let allow = try #require(response.headers[.allow])
                #expect(allow == (path == "/upload" ? "POST" : "GET, HEAD"))
            }
        }
        try await harness.send("/nowhere", method: .put) { response in
            #expect(response.status == .notFound)
        }
        if path != "/upload" {
            try await harness.send(path, method: .head) { response in
                #expect(response.status != .methodNotAllowed && response.status != .notFound, "HEAD \(path) as Allow says")
            }
        }
    }

    @Test func everyAnswerIsNosniff() async throws {
        let harness = try UploadHarness()
        try await harness.send("/openapi.yaml", method: .get) { response in
            #expect(response.status == .ok)
            #expect(response.headers[.xContentTypeOptions] == "nosniff")
        }
        try await harness.send(headers: [.contentType: "image/png"], body: Array("GIF89a".utf8)) { response in
            #expect(response.status == .unsupportedMediaType)
            #expect(response.headers[.xContentTypeOptions] == "nosniff")
        }
    }

    @Test(arguments: ["/openapi.yaml%00.html", "/.%00./", "/upload%0a", "/healthz%7f"])
    func controlCharactersInThePathAreRefused(_ path: String) async throws {
        let harness = try UploadHarness()
        try await harness.send(path, method: .get) { response in
            #expect(response.status == .badRequest)
            let answer = try json(response)
            #expect(answer["error"] == "invalid_path")
            #expect(response.headers[.xContentTypeOptions] == "nosniff")
        }
    }

    @Test func corsForTheNotifierPage() async throws {
        let harness = try UploadHarness()
        try await harness.send(method: .options, headers: [.origin: "http://localhost:8080", .accessControlRequestMethod: "POST"]) { response in
            #expect(response.status == .noContent)
            #expect(response.headers[.accessControlAllowOrigin] == "http://localhost:8080")
            #expect(response.headers[.accessControlAllowMethods]?.contains("POST") == true)
        }
        // Errors carry CORS headers too, so the page can show them.
        try await harness.send(headers: [.origin: "http://127.0.0.1:8080", .contentType: "image/png"], body: Array("nope".utf8)) { response in
            #expect(response.status == .unsupportedMediaType)
            #expect(response.headers[.accessControlAllowOrigin] == "http://127.0.0.1:8080")
        }
        try await harness.send(headers: [.origin: "http://evil.example", .contentType: "image/png"], body: TestPNG.make(width: 1, height: 1)) { response in
            #expect(response.headers[.accessControlAllowOrigin] == nil)
        }
    }

    @Test func operationalRoutes() async throws {
        let harness = try UploadHarness()
        try await harness.send("/upload", headers: [.contentType: "image/png"], body: TestPNG.make(width: 1, height: 1)) { _ in }
        try await harness.send("/healthz", method: .get) { response in #expect(response.status == .ok) }
        // Readiness details and metrics are the ops port's only: the public port tells nothing more.
        for path in ["/readyz", "/metrics", "/metrics/", "//metrics"] {
            try await harness.send(path, method: .get) { response in #expect(response.status == .notFound, "\(path) on the public port") }
        }
        try await harness.sendOps("/healthz") { response in #expect(response.status == .ok) }
        try await harness.sendOps("/readyz") { response in #expect(response.status == .ok) }
        try await harness.sendOps("/metrics") { response in
            let text = String(buffer: response.body)
            #expect(text.contains(#"upload_requests_total{status="202"} 1"#))
            #expect(text.contains("upload_bytes_received_total"))
            #expect(text.contains("upload_duration_seconds_bucket"))
        }
        try await harness.send("/openapi.yaml", method: .get) { response in
            #expect(response.status == .ok)
            #expect(String(buffer: response.body).hasPrefix("openapi: 3.1.0"))
        }
        harness.queue.fail(.reachability)
        let notReady = try UploadHarness()
        notReady.queue.fail(.reachability)
        try await notReady.sendOps("/readyz") { response in
            #expect(response.status == .serviceUnavailable)
            #expect(String(buffer: response.body).contains("sqs"))
        }
        let noLedger = try UploadHarness()
        noLedger.ledger.fail()
        try await noLedger.sendOps("/readyz") { response in
            #expect(response.status == .serviceUnavailable)
            #expect(String(buffer: response.body).contains("dynamodb"))
        }
    }
}
