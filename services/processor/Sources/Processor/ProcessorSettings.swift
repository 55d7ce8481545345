import AWSClient
import ImageEngine
import NIOCore
import PipelineContract
import PipelineService

/// The processor's configuration: the shared part and the worker's own settings.
struct ProcessorConfiguration: ServiceConfiguration {
    static let serviceName = "processor"
    var shared: SharedConfiguration
    var settings: ProcessorSettings

    init(environment: EnvironmentVariables) throws(ConfigurationError) {
        shared = try SharedConfiguration(environment: environment, defaultPort: 8082)
        settings = try ProcessorSettings(environment: environment)
    }
}

/// The worker's own settings, beside the shared configuration: read once at start.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | PROCESSOR_CONCURRENCY | number of cores | images worked on at once |
/// | PROCESSOR_VISIBILITY_SECONDS | 60 | how long a received message stays hidden; extended while working |
/// | PROCESSOR_OUTPUT_BIT_DEPTH | 1 | 1 (smaller, same pixels) or 8 (as the reference's file) |
/// | PROCESSOR_PREFETCH | PROCESSOR_CONCURRENCY | messages received ahead of a free slot, to save receive calls (0 to 10) |
/// | PROCESSOR_DELETE_BATCH_MS | 250 | how long a worked message's deletion waits for others to share a DeleteMessageBatch call (0: each at once) |
/// | PROCESSOR_EVENT_BATCH_MS | 250 | how long an image's event waits for others to share a SendMessageBatch call, while other images are worked on (0: each at once) |
struct ProcessorSettings: Sendable {
    var concurrency: Int
    /// Messages a receive may bring beyond the free slots; they wait for the next free one.
    var prefetch: Int
    /// Seconds a message stays invisible after each receive or extension.
    var visibilityTimeout: Int
    /// How often the visibility is extended while an image is worked on (a third of the timeout).
    var heartbeatInterval: Duration
    /// The visibility is extended for this long at most: a job that hangs longer lets its message
    /// go back to the queue (and, after five tries, to the dead-letter queue).
    var maxProcessingTime: Duration = .seconds(600)
    var waitSeconds = 20
    /// The queue's maxReceiveCount: a transient failure on this receive is the last one, so the
    /// image is failed (and its message left to move to the dead-letter queue).
    var maxReceiveCount = QueuePolicy.maxReceiveCount
    var bitDepth: BinarizeOptions.BitDepth
    var maxPixels: Int
    /// The largest input object read; larger ones are refused (they could not have been uploaded).
    var maxImageBytes: Int
    /// How long a deletion waits for others to go in one batch (zero: each message deleted at once).
    var deleteLinger: Duration
    /// How long an event waits for others to go in one batch (zero: each event sent at once).
    var eventLinger: Duration

    init(
        concurrency: Int = System.coreCount, visibilityTimeout: Int = 60, bitDepth: BinarizeOptions.BitDepth = .one,
        maxPixels: Int = ImageLimits.defaultMaxPixels, maxImageBytes: Int = ImageLimits.defaultMaxUploadBytes,
        deleteLinger: Duration = .zero, eventLinger: Duration = .zero, prefetch: Int = 0
    ) {
        self.concurrency = concurrency
        self.prefetch = prefetch
        self.visibilityTimeout = visibilityTimeout
        self.heartbeatInterval = .seconds(max(1, visibilityTimeout / 3))
        self.bitDepth = bitDepth
        self.maxPixels = maxPixels
        self.maxImageBytes = maxImageBytes
        self.deleteLinger = deleteLinger
        self.eventLinger = eventLinger
    }

    /// Reads the worker's variables and the limits (MAX_PIXELS, and MAX_UPLOAD_BYTES as the
    /// largest object read).
    init(environment: EnvironmentVariables) throws(ConfigurationError) {
        let limits = try ImageLimits(environment: environment)
        let bits = try environment.int("PROCESSOR_OUTPUT_BIT_DEPTH", default: 1)
        guard let bitDepth = BinarizeOptions.BitDepth(rawValue: bits) else {
            throw ConfigurationError(variable: "PROCESSOR_OUTPUT_BIT_DEPTH", reason: "must be 1 or 8, not \(bits)")
        }
        let concurrency = try environment.int("PROCESSOR_CONCURRENCY", default: System.coreCount, range: 1...256)
        self.init(
            concurrency: concurrency,
            visibilityTimeout: try environment.int("PROCESSOR_VISIBILITY_SECONDS", default: 60, range: 3...43_200),
            bitDepth: bitDepth,
            maxPixels: limits.maxPixels,
            maxImageBytes: limits.maxUploadBytes,
            deleteLinger: .milliseconds(try environment.int("PROCESSOR_DELETE_BATCH_MS", default: 250, range: 0...1000)),
            eventLinger: .milliseconds(try environment.int("PROCESSOR_EVENT_BATCH_MS", default: 250, range: 0...1000)),
            prefetch: try environment.int("PROCESSOR_PREFETCH", default: min(concurrency, 10), range: 0...10)
        )
    }
}
