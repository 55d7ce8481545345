import Prometheus

extension MetricNameDescriptor {
    /// A metric called exactly `name` (no namespace or unit is joined to it), with its help text.
    public static func named(_ name: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
