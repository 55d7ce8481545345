import PipelineService
import Prometheus

/// The notifier's Prometheus metrics: events consumed, SSE clients, index size.
struct NotifierMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let eventsConsumed: Counter
    let malformedEvents: Counter
    let sseClients: Gauge
    let indexSize: Gauge

    init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        eventsConsumed = registry.makeCounter(descriptor: .named("notifier_events_consumed_total", help: "Processed events applied to the index."))
        malformedEvents = registry.makeCounter(descriptor: .named("notifier_malformed_events_total", help: "Queue messages that were not processed events."))
        sseClients = registry.makeGauge(descriptor: .named("notifier_sse_clients", help: "Open Server-Sent Events streams."))
        indexSize = registry.makeGauge(descriptor: .named("notifier_index_images", help: "Images in the index."))
    }

    func update(from index: ImageIndex) async {
        indexSize.set(Double(await index.count))
        sseClients.set(Double(await index.subscriberCount))
    }
}
