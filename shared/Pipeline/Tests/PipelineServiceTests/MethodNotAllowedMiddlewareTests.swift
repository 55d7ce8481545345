import Hummingbird
import HummingbirdTesting
@testable import PipelineService
import Testing

@Suite struct MethodNotAllowedMiddlewareTests {
    func router() -> Router<ServiceRequestContext> {
        let router = kitRouter()
        router.addMethodNotAllowedResponses()
        return router
    }

    @Test func aKnownPathWithAnotherMethodIs405WithAllow() async throws {
        try await Application(router: router()).test(.router) { client in
            for (path, method, allow) in [("/ok", HTTPRequest.Method.post, "GET, HEAD"), ("/items", .get, "POST"), ("/items/42", .delete, "GET, HEAD")] {
                try await client.execute(uri: path, method: method) { response in
                    #expect(response.status == .methodNotAllowed, "\(method) \(path)")
                    #expect(response.headers[.allow] == allow, "\(method) \(path)")
                    #expect(String(buffer: response.body).contains("method_not_allowed"))
                }
            }
        }
    }

    @Test func anUnknownPathStays404AndKnownMethodsPass() async throws {
        try await Application(router: router()).test(.router) { client in
            try await client.execute(uri: "/nothing/here", method: .post) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/items/42", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func patternsMatchWholeSegments() {
        typealias Middleware = MethodNotAllowedMiddleware<ServiceRequestContext>
        func segments(_ path: String) -> [Substring] { Middleware.segments(path) }
        func matches(_ pattern: [Substring], _ parts: [Substring]) -> Bool { Middleware.matches(pattern, parts) }
        #expect(matches(segments("/api/images/:id"), segments("/api/images/abc")))
        #expect(!matches(segments("/api/images/:id"), segments("/api/images")))
        #expect(!matches(segments("/api/images/:id"), segments("/api/images/abc/original")))
        #expect(matches(segments("/static/**"), segments("/static/js/main.js")))
    }
}
