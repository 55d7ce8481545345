import Foundation
import Hummingbird
import HummingbirdTesting
import PipelineService
import PipelineTestSupport
import Testing

@testable import Notifier

/// The notifier's router as built: the page's Content-Security-Policy, nosniff everywhere, paths
/// with control characters, and 405 with `Allow` for a known path asked with another method.
@Suite struct NotifierRouterTests {
    let id = "cccccccc-0000-4000-8000-000000000001"

    @Test func thePageCarriesItsPolicyAndEveryAnswerIsNosniff() async throws {
        let harness = try NotifierHarness()
        try await harness.upload(id, "user.png", bytes: TestPNG.make(width: 2, height: 2))
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                let policy = try #require(response.headers[.contentSecurityPolicy])
                #expect(policy.contains("script-src 'self'"))
                #expect(policy.contains("style-src 'self'"))
                #expect(policy.contains("frame-ancestors 'none'"))
                #expect(policy.contains("connect-src 'self' http://localhost:8081"), "uploads go only to PUBLIC_UPLOAD_URL's origin")
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
            }
            for uri in ["/js/main.js", "/api/images", "/api/images/\(id)/original", "/api/images/nope", "/healthz"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(uri)")
                }
            }
        }
    }

    @Test(arguments: ["/app.js%00.html", "/.%00./", "/js/main.js%0d%0a", "/%1b"])
    func controlCharactersInThePathAreRefused(_ path: String) async throws {
        let harness = try NotifierHarness()
        try await harness.application.test(.router) { client in
            try await client.execute(uri: path, method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
            }
        }
    }

    @Test func undeclaredMethodsAre405WithAllow() async throws {
        let harness = try NotifierHarness()
        let trace = HTTPRequest.Method("TRACE")!
        try await harness.application.test(.router) { client in
            for (path, allow) in [("/api/images", "GET, HEAD"), ("/api/results.zip", "GET, HEAD"), ("/healthz", "GET, HEAD"), ("/", "GET, HEAD"), ("/js/main.js", "GET, HEAD")] {
                try await client.execute(uri: path, method: trace) { response in
                    #expect(response.status == .methodNotAllowed, "\(path)")
                    #expect(response.headers[.allow] == allow, "\(path)")
                }
            }
            try await client.execute(uri: "/no/such/file.js", method: .delete) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
