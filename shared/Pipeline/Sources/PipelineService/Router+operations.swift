import Foundation
import Hummingbird
import Prometheus

extension Router {
    /// Adds `GET /healthz`: the process is up, and nothing more (what the public port tells).
    public func addHealthRoute() {
        get("/healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
    }

    /// Adds `GET /healthz` (the process is up), `GET /readyz` (its dependencies answer; 503 with
    /// the reasons when not) and `GET /metrics` (Prometheus text format): the ops port's routes
    /// (the processor's only port is one).
    ///
    /// - Parameter beforeScrape: sets gauges that are read from state rather than kept up to date.
    public func addOperationalRoutes(
        readiness: ReadinessProbe, metrics: PrometheusCollectorRegistry, beforeScrape: (@Sendable () async -> Void)? = nil
    ) {
        addHealthRoute()
        get("/readyz") { _, _ in
            let failures = await readiness.failures()
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let body = ReadinessBody(
                status: failures.isEmpty ? "ready" : "not_ready",
                failures: failures.isEmpty ? nil : Dictionary(failures.map { ($0.name, $0.reason) }) { first, _ in first }
            )
            return Response(
                status: failures.isEmpty ? .ok : .serviceUnavailable,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(body)))
            )
        }
        get("/metrics") { _, _ in
            await beforeScrape?()
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer()))
            )
        }
    }
}

struct ReadinessBody: Encodable {
    var status: String
    var failures: [String: String]?
}
