import Hummingbird
import HummingbirdTesting
import Logging
import PipelineService
import Synchronization
import Testing

/// The client's address in each request's log line: what the trusted proxies saw, never what a
/// client wrote in its own `X-Forwarded-For`.
@Suite struct ClientAddressTests {
    @Test func theEntryTheOutermostTrustedProxyAppendedIsTheClient() {
        // Behind the load balancer (one hop): it appends the address it saw, last.
        #expect(ClientAddress.of(forwardedFor: "203.0.113.9", peer: "10.0.0.5", trustedProxyHops: 1) == "203.0.113.9")
        // A forged entry comes before the load balancer's and is never believed.
        #expect(ClientAddress.of(forwardedFor: "1.2.3.4, 203.0.113.9", peer: "10.0.0.5", trustedProxyHops: 1) == "203.0.113.9")
        #expect(ClientAddress.of(forwardedFor: "1.2.3.4, 198.51.100.7, 10.0.0.9", peer: "10.0.0.5", trustedProxyHops: 2) == "198.51.100.7")
        // With no proxy in front, the header is the client's own words: the peer is the client.
        #expect(ClientAddress.of(forwardedFor: "1.2.3.4", peer: "127.0.0.1", trustedProxyHops: 0) == "127.0.0.1")
        // A chain shorter than the proxies in front cannot be the proxies' doing.
        #expect(ClientAddress.of(forwardedFor: "1.2.3.4", peer: "10.0.0.5", trustedProxyHops: 2) == "10.0.0.5")
        #expect(ClientAddress.of(forwardedFor: nil, peer: nil, trustedProxyHops: 1) == "-")
    }

    @Test func everyLineNamesClientAndOwner() async throws {
        let lines = RecordingLogHandler.Lines()
        let router = Router(context: ServiceRequestContext.self)
        router.add(middleware: RequestLogMiddleware("request", trustedProxyHops: 1))
        router.get("open") { _, _ in "anyone" }
        router.get("mine") { _, context -> String in
            context.logFields["owner"] = "ann"
            return "ann's"
        }
        try await Application(router: router, logger: RecordingLogHandler.logger(into: lines)).test(.router) { client in
            try await client.execute(uri: "/open", method: .get, headers: [.xForwardedFor: "6.6.6.6, 203.0.113.9"]) { #expect($0.status == .ok) }
            try await client.execute(uri: "/mine", method: .get, headers: [.xForwardedFor: "203.0.113.10"]) { #expect($0.status == .ok) }
        }
        let requests = lines.all.withLock { $0 }.filter { $0.message == "request" }
        #expect(requests.map { $0.metadata["client"]?.description } == ["203.0.113.9", "203.0.113.10"])
        #expect(requests.map { $0.metadata["owner"]?.description } == ["-", "ann"])
        #expect(requests[0].metadata["forwarded_for"]?.description == "6.6.6.6, 203.0.113.9", "the whole chain, for tracing a forgery")
    }

    @Test func hstsOnlyForRequestsThatCameOverHTTPS() async throws {
        let router = Router(context: ServiceRequestContext.self)
        router.add(middleware: SecurityHeadersMiddleware())
        router.get("page") { _, _ in "page" }
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/page", method: .get, headers: [.xForwardedProto: "https"]) { response in
                #expect(response.headers[.strictTransportSecurity] == "max-age=31536000; includeSubDomains")
            }
            try await client.execute(uri: "/page", method: .get) { response in
                #expect(response.headers[.strictTransportSecurity] == nil)
            }
        }
    }
}
