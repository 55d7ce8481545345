import Hummingbird
import HummingbirdTesting
import PipelineService
import Testing

@Suite struct AllowedOriginsMiddlewareTests {
    @Test func aPreflightFromAnAllowedOriginIsAnswered() async throws {
        try await Application(router: kitRouter()).test(.router) { client in
            let headers: HTTPFields = [.origin: "http://page.test", .accessControlRequestMethod: "POST"]
            try await client.execute(uri: "/items", method: .options, headers: headers) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == "http://page.test")
                #expect(response.headers[.accessControlAllowMethods]?.contains("POST") == true)
                #expect(response.headers[.accessControlAllowHeaders]?.contains("Idempotency-Key") == true)
            }
        }
    }

    @Test func aPreflightFromAnotherOriginIsRefusedWith403() async throws {
        try await Application(router: kitRouter()).test(.router) { client in
            let headers: HTTPFields = [.origin: "http://elsewhere.test", .accessControlRequestMethod: "POST"]
            try await client.execute(uri: "/items", method: .options, headers: headers) { response in
                #expect(response.status == .forbidden)
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
        }
    }

    @Test func errorsCarryTheHeadersSoAPageCanReadThem() async throws {
        try await Application(router: kitRouter()).test(.router) { client in
            try await client.execute(uri: "/fail", method: .get, headers: [.origin: "http://page.test"]) { response in
                #expect(response.status == .contentTooLarge)
                #expect(response.headers[.accessControlAllowOrigin] == "http://page.test")
                #expect(response.headers[.accessControlExposeHeaders] == "Retry-After")
                #expect(response.headers[.vary] == "Origin")
            }
        }
    }

    @Test func aRequestWithoutOriginIsLeftAlone() async throws {
        try await Application(router: kitRouter()).test(.router) { client in
            try await client.execute(uri: "/ok", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
        }
    }

    @Test func aWildcardAllowsAnyOrigin() async throws {
        try await Application(router: kitRouter(origins: ["*"])).test(.router) { client in
            try await client.execute(uri: "/ok", method: .get, headers: [.origin: "http://any.test"]) { response in
                #expect(response.headers[.accessControlAllowOrigin] == "*")
            }
        }
    }
}
