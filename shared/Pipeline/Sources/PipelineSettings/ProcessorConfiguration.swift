import NIOCore
import PipelineContract

/// The processor's configuration: the shared part and the worker's own variables, read once at
/// start. The worker turns it into its running settings (`ProcessorSettings`).
public struct ProcessorConfiguration: ServiceConfiguration {
    public static let serviceName = "processor"
    public var shared: SharedConfiguration
    /// MAX_PIXELS, and MAX_UPLOAD_BYTES as the largest input object read.
    public var limits: ImageLimits
    /// PROCESSOR_CONCURRENCY: images worked on at once (default: the machine's cores).
    public var concurrency: Int
    /// PROCESSOR_PREFETCH: messages a receive brings beyond the free slots (0 to 10).
    public var prefetch: Int
    /// PROCESSOR_VISIBILITY_SECONDS: how long a received message stays hidden.
    public var visibilitySeconds: Int
    /// PROCESSOR_OUTPUT_BIT_DEPTH: 1 or 8.
    public var outputBitDepth: Int
    /// PROCESSOR_DELETE_BATCH_MS: how long a deletion waits to share a batch call.
    public var deleteBatchWait: Duration
    /// PROCESSOR_EVENT_BATCH_MS: how long an event waits to share a batch call.
    public var eventBatchWait: Duration

    /// - Parameter coreCount: the default concurrency.
    public init(environment: EnvironmentVariables, coreCount: Int) throws(ConfigurationError) {
        shared = try SharedConfiguration(environment: environment, defaultPort: 8082)
        limits = try ImageLimits(environment: environment)
        outputBitDepth = try environment.int("PROCESSOR_OUTPUT_BIT_DEPTH", default: 1)
        guard outputBitDepth == 1 || outputBitDepth == 8 else {
            throw ConfigurationError(variable: "PROCESSOR_OUTPUT_BIT_DEPTH", reason: "must be 1 or 8, not \(outputBitDepth)")
        }
        concurrency = try environment.int("PROCESSOR_CONCURRENCY", default: max(1, coreCount), range: 1...256)
        visibilitySeconds = try environment.int("PROCESSOR_VISIBILITY_SECONDS", default: 60, range: 3...43_200)
        deleteBatchWait = .milliseconds(try environment.int("PROCESSOR_DELETE_BATCH_MS", default: 250, range: 0...1000))
        eventBatchWait = .milliseconds(try environment.int("PROCESSOR_EVENT_BATCH_MS", default: 250, range: 0...1000))
        prefetch = try environment.int("PROCESSOR_PREFETCH", default: min(concurrency, 10), range: 0...10)
    }

    public init(environment: EnvironmentVariables) throws(ConfigurationError) {
        try self.init(environment: environment, coreCount: System.coreCount)  // cgroup limits count
    }
}
