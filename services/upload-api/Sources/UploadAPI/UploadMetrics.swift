import Hummingbird
import PipelineService
import Prometheus

/// The upload API's Prometheus metrics: requests by status, bytes received, upload seconds.
struct UploadMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let bytesReceived: Counter
    let duration: DurationHistogram

    init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        bytesReceived = registry.makeCounter(descriptor: .named("upload_bytes_received_total", help: "Bytes of accepted image files."))
        duration = registry.makeDurationHistogram(
            descriptor: .named("upload_duration_seconds", help: "Time from the start of an upload request to its answer."),
            buckets: [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                      .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10)]
        )
    }

    /// Counts one answered upload request by its status code.
    func countRequest(status: Int) {
        registry.makeCounter(descriptor: .named("upload_requests_total", help: "Upload requests by answer status."), labels: [("status", String(status))])
            .increment()
    }
}

/// Records each upload request's status and duration, refusals (401 included) too.
struct UploadMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: UploadMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(status: Int(response.status.code), since: started)
            return response
        } catch {
            record(status: (error as? any HTTPResponseError).map { Int($0.status.code) } ?? 500, since: started)
            throw error
        }
    }

    private func record(status: Int, since started: ContinuousClock.Instant) {
        metrics.countRequest(status: status)
        metrics.duration.record(ContinuousClock.now - started)
    }
}
