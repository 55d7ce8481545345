import PipelineService
import Prometheus

/// The notifier's Prometheus metrics: events applied, SSE clients. (The image count is the
/// table's: DynamoDB's ItemCount metric, not a number any one notifier knows.)
struct NotifierMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let eventsConsumed: Counter
    let malformedEvents: Counter
    let sseClients: Gauge

    init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        eventsConsumed = registry.makeCounter(descriptor: .named("notifier_events_consumed_total", help: "Events applied to the image table."))
        malformedEvents = registry.makeCounter(descriptor: .named("notifier_malformed_events_total", help: "Queue messages that were not processed events."))
        sseClients = registry.makeGauge(descriptor: .named("notifier_sse_clients", help: "Open Server-Sent Events streams."))
    }

    func update(from hub: ImageChangeHub) async {
        sseClients.set(Double(await hub.subscriberCount))
    }
}
