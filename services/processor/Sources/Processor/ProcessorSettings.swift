import ImageEngine
import NIOCore
import PipelineContract
import PipelineSettings

/// The worker's running settings, made from its configuration (`ProcessorConfiguration`, whose
/// variables the README's configuration table describes) or set directly by tests.
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

    init(_ configuration: ProcessorConfiguration) {
        self.init(
            concurrency: configuration.concurrency,
            visibilityTimeout: configuration.visibilitySeconds,
            bitDepth: BinarizeOptions.BitDepth(rawValue: configuration.outputBitDepth) ?? .one,
            maxPixels: configuration.limits.maxPixels,
            maxImageBytes: configuration.limits.maxUploadBytes,
            deleteLinger: configuration.deleteBatchWait,
            eventLinger: configuration.eventBatchWait,
            prefetch: configuration.prefetch
        )
    }
}
