import Foundation
import Hummingbird
import HummingbirdTesting
import PipelineConcurrency
import PipelineService
import Prometheus
import Testing

/// `/healthz`, `/readyz` and `/metrics` (Router+operations) with ReadinessProbe behind them.
@Suite struct OperationalRoutesTests {
    struct Unreachable: Error, CustomStringConvertible { var description: String { "connection refused" } }

    func router(checks: [(name: String, run: ReadinessProbe.Check)], scraped: Shared<Int> = Shared(0)) -> Router<ServiceRequestContext> {
        let registry = PrometheusCollectorRegistry()
        registry.makeCounter(descriptor: .named("kit_test_total", help: "A counter for the test.")).increment()
        let router = Router(context: ServiceRequestContext.self)
        router.addOperationalRoutes(readiness: ReadinessProbe(checks: checks), metrics: registry) { scraped.set(scraped.value + 1) }
        return router
    }

    @Test func healthAndReadinessWhenEveryCheckAnswers() async throws {
        let app = Application(router: router(checks: [(name: "s3", run: {}), (name: "sqs", run: {})]))
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"status":"ok"}"#)
            }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"status":"ready"}"#)
            }
        }
    }

    @Test func notReadyNamesEachFailedCheck() async throws {
        let app = Application(router: router(checks: [(name: "s3", run: {}), (name: "sqs", run: { throw Unreachable() })]))
        try await app.test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let body = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]
                #expect(body?["status"] as? String == "not_ready")
                #expect((body?["failures"] as? [String: String]) == ["sqs": "connection refused"])
            }
        }
    }

    @Test func metricsAreScrapedAfterTheGaugesAreSet() async throws {
        let scraped = Shared(0)
        let app = Application(router: router(checks: [], scraped: scraped))
        try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                #expect(String(buffer: response.body).contains("kit_test_total 1"))
            }
        }
        #expect(scraped.value == 1)
    }
}
