import Hummingbird
import HummingbirdTesting
import PipelineService
import Testing

@Suite struct SecurityHeadersMiddlewareTests {
    @Test func everyAnswerIsNosniffErrorsAndUnknownPathsIncluded() async throws {
        try await Application(router: kitRouter()).test(.router) { client in
            for uri in ["/ok", "/fail", "/nothing-here"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(uri)")
                    #expect(response.headers[.contentSecurityPolicy] == nil, "no policy unless one is given")
                }
            }
        }
    }

    @Test func thePolicyGoesOnEveryAnswerWhenGiven() async throws {
        try await Application(router: kitRouter(contentSecurityPolicy: "default-src 'self'")).test(.router) { client in
            try await client.execute(uri: "/ok", method: .get) { response in
                #expect(response.headers[.contentSecurityPolicy] == "default-src 'self'")
            }
        }
    }

    @Test(arguments: ["/ok%00.html", "/.%00./", "/ok%0d%0a", "/%1b", "/ok%7f"])
    func aPathWithAControlCharacterIs400(_ path: String) async throws {
        try await Application(router: kitRouter()).test(.router) { client in
            try await client.execute(uri: path, method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("invalid_path"))
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
            }
        }
    }

    @Test func anUndecodableEscapeIsNoControlCharacter() async throws {
        try await Application(router: kitRouter()).test(.router) { client in
            try await client.execute(uri: "/ok%zz", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
