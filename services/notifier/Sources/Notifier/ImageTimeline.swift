import Foundation
import PipelineContract

/// Where an image's time went: uploaded → taken by a processor → finished → known here.
///
/// The times come from three machines (upload API, processor, notifier), so a small clock skew
/// could make a span negative: spans are clamped at 0. A span is nil when either end is unknown
/// (an image rebuilt from a bucket listing after a restart has no event times).
struct ImageTimeline: Encodable, Sendable, Equatable {
    var uploadedAt: Date?
    var startedAt: Date?
    var finishedAt: Date?
    var notifiedAt: Date?

    init(_ record: ImageItem) {
        uploadedAt = record.uploadedAt
        startedAt = record.startedAt
        finishedAt = record.finishedAt
        notifiedAt = record.notifiedAt
    }

    /// Waiting in the input queue.
    var queueMilliseconds: Int? { Self.span(from: uploadedAt, to: startedAt) }
    /// In the processor: read, binarize, write, send the event.
    var processingMilliseconds: Int? { Self.span(from: startedAt, to: finishedAt) }
    /// From the processor's event to this notifier (the processed queue, the consumer's poll).
    var notificationMilliseconds: Int? { Self.span(from: finishedAt, to: notifiedAt) }

    static func span(from start: Date?, to end: Date?) -> Int? {
        guard let start, let end else { return nil }
        return max(0, Int((end.timeIntervalSince(start) * 1000).rounded()))
    }

    enum CodingKeys: String, CodingKey {
        case uploadedAt = "uploaded_at", startedAt = "started_at", finishedAt = "finished_at", notifiedAt = "notified_at"
        case queueMilliseconds = "queue_ms", processingMilliseconds = "processing_ms", notificationMilliseconds = "notification_ms"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(uploadedAt.map(PipelineJSON.timestamp), forKey: .uploadedAt)
        try container.encode(startedAt.map(PipelineJSON.timestamp), forKey: .startedAt)
        try container.encode(finishedAt.map(PipelineJSON.timestamp), forKey: .finishedAt)
        try container.encode(notifiedAt.map(PipelineJSON.timestamp), forKey: .notifiedAt)
        try container.encode(queueMilliseconds, forKey: .queueMilliseconds)
        try container.encode(processingMilliseconds, forKey: .processingMilliseconds)
        try container.encode(notificationMilliseconds, forKey: .notificationMilliseconds)
    }
}
