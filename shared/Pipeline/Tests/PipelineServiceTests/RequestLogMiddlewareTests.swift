import Hummingbird
import HummingbirdTesting
import Logging
import PipelineConcurrency
import PipelineService
import Synchronization
import Testing

@Suite struct RequestLogMiddlewareTests {
    @Test func everyAnswerIsRecordedErrorsIncluded() async throws {
        let recorded = Shared<[Int]>([])
        let router = Router(context: ServiceRequestContext.self)
        router.group()
            .add(middleware: RequestLogMiddleware("item") { status, duration in
                #expect(duration >= .zero)
                recorded.set(recorded.value + [status])
            })
            .get("item/:id") { _, context -> String in
                context.logFields["item"] = .string(context.parameters.get("id") ?? "")
                guard context.parameters.get("id") != "missing" else {
                    throw APIError(.notFound, code: "not_found", message: "No such item.")
                }
                return "here"
            }
        router.get("other") { _, _ in "not logged by the group" }
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/item/1", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/item/missing", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/other", method: .get) { #expect($0.status == .ok) }
        }
        #expect(recorded.value == [200, 404])
    }

    /// One line per answer with method, path, status, duration and the route's fields; health
    /// checks at debug level.
    @Test func theLineNamesTheRequestAndQuietPathsLogAtDebug() async throws {
        let lines = RecordingLogHandler.Lines()
        let router = Router(context: ServiceRequestContext.self)
        router.add(middleware: RequestLogMiddleware("request", quietPaths: ["/healthz"]))
        router.get("healthz") { _, _ in "ok" }
        router.get("item") { _, context -> String in
            context.logFields["size"] = .stringConvertible(3)
            return "abc"
        }
        try await Application(router: router, logger: RecordingLogHandler.logger(into: lines)).test(.router) { client in
            try await client.execute(uri: "/item", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/nowhere", method: .post) { #expect($0.status == .notFound) }
        }
        let requests = lines.all.withLock { $0 }.filter { $0.message == "request" }
        #expect(requests.map(\.level) == [.info, .debug, .info])
        #expect(requests.map { $0.metadata["path"] } == ["/item", "/healthz", "/nowhere"])
        #expect(requests.map { $0.metadata["status"]?.description } == ["200", "200", "404"])
        #expect(requests[0].metadata["method"] == "GET" && requests[0].metadata["size"]?.description == "3")
        #expect(requests.allSatisfy { $0.metadata["duration_ms"] != nil })
    }

    @Test func fieldsBelongToTheirRequest() {
        let fields = RequestLogFields()
        #expect(fields["size"] == nil)
        fields["size"] = .stringConvertible(42)
        #expect(fields["size"] == .stringConvertible(42))
    }
}
