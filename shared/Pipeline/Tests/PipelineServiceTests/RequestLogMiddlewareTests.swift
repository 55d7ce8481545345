import Hummingbird
import HummingbirdTesting
import Logging
import PipelineConcurrency
import PipelineService
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

    @Test func fieldsBelongToTheirRequest() {
        let fields = RequestLogFields()
        #expect(fields["size"] == nil)
        fields["size"] = .stringConvertible(42)
        #expect(fields["size"] == .stringConvertible(42))
    }
}
