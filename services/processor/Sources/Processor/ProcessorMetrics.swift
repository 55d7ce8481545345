import PipelineService
import Prometheus

/// The processor's Prometheus metrics: images processed and failed, processing seconds, in flight.
struct ProcessorMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let processed: Counter
    let inFlight: Gauge
    let duration: DurationHistogram
    let transientErrors: Counter
    /// CPU seconds the engine spent (thread CPU time around each binarization), so the service's
    /// own CPU can be told from its engine's in one process (`make bench-cost`).
    let engineCPU: Counter

    init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        processed = registry.makeCounter(descriptor: .named("processor_images_processed_total", help: "Images binarized and published."))
        inFlight = registry.makeGauge(descriptor: .named("processor_images_in_flight", help: "Images being worked on now."))
        duration = registry.makeDurationHistogram(
            descriptor: .named("processor_processing_seconds", help: "From receiving a message to deleting it, for processed and failed images."),
            buckets: [.milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                      .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30)]
        )
        transientErrors = registry.makeCounter(descriptor: .named("processor_transient_errors_total", help: "Messages left for redelivery after a transient error."))
        engineCPU = registry.makeCounter(descriptor: .named("processor_engine_cpu_seconds_total", help: "CPU seconds spent in the image engine."))
    }

    /// Counts a permanent failure by its kind (not_png, corrupt, too_many_pixels, missing, malformed_message, ...).
    func countFailure(_ kind: String) {
        registry.makeCounter(descriptor: .named("processor_images_failed_total", help: "Images that failed for good."), labels: [("reason", kind)]).increment()
    }
}
