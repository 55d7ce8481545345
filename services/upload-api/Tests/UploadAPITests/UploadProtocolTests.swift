import Foundation
import Hummingbird
import HummingbirdTesting
import PipelineTestSupport
import Testing

@testable import UploadAPI

/// HTTP's rules beyond the upload itself: methods and where options may come from.
@Suite struct UploadProtocolTests {
    @Test(arguments: ["/upload", "/healthz", "/readyz", "/metrics", "/openapi.yaml"])
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

    /// An option in the query and in the form: both checked, and they must agree.
    @Test(arguments: [
        ("threshold=256", ["threshold": "100"]), ("threshold=100", ["threshold": "200"]), ("method=otsu", ["method": "fixed"]),
        ("threshold=256", [String: String]()), ("method=magic", [String: String]()),
    ])
    func optionsInTwoPlacesMustAgree(_ query: String, _ fields: [String: String]) async throws {
        let harness = try UploadHarness()
        let form = Multipart.image(TestPNG.make(width: 2, height: 2), fields: fields)
        try await harness.send("/upload?\(query)", headers: form.headers, body: form.body) { response in
            #expect(response.status == .badRequest)
            let answer = try json(response)
            #expect(answer["error"] == "invalid_option")
        }
        #expect(harness.store.keys.isEmpty)
    }

    @Test func theSameOptionTwiceIsAccepted() async throws {
        let harness = try UploadHarness()
        let form = Multipart.image(TestPNG.make(width: 2, height: 2), fields: ["threshold": "90"])
        try await harness.send("/upload?threshold=90", headers: form.headers, body: form.body) { response in
            #expect(response.status == .accepted)
        }
    }
}
