import Foundation
import PipelineContract

/// Where an image is in the pipeline.
enum ImageState: String, Codable, Sendable, Comparable {
    case queued
    case failed
    case processed

    /// Later states win when facts arrive out of order: processed is final, a failure can still
    /// be followed by success (a redelivered message that worked), queued never overrides.
    private var rank: Int {
        switch self {
        case .queued: 0
        case .failed: 1
        case .processed: 2
        }
    }

    static func < (lhs: ImageState, rhs: ImageState) -> Bool { lhs.rank < rhs.rank }

    init(_ status: ImageEvent.Status) {
        switch status {
        case .queued: self = .queued
        case .failed: self = .failed
        case .processed: self = .processed
        }
    }
}

/// What the notifier knows of one image.
struct ImageRecord: Sendable, Equatable {
    var imageID: String
    var filename: String
    var originalKey: String
    var processedKey: String?
    var state: ImageState
    var error: String?
    var originalSize: Int?
    var processedSize: Int?
    var width: Int?
    var height: Int?
    var uploadedAt: Date?
    /// When a processor took the image (from its outcome event).
    var startedAt: Date?
    /// When the processor finished, successfully or not (from its outcome event).
    var finishedAt: Date?
    /// When this notifier first learnt the outcome (from the event, not from a bucket listing).
    var notifiedAt: Date?
    var updatedAt: Date

    init(imageID: String, originalKey: String, state: ImageState = .queued, updatedAt: Date = Date()) {
        self.imageID = imageID
        self.originalKey = originalKey
        self.filename = ObjectKeys.filename(fromInputKey: originalKey)
        self.state = state
        self.updatedAt = updatedAt
    }

    /// Newest first; the id breaks ties so that the order is total (and pagination stable).
    static func newestFirst(_ lhs: ImageRecord, _ rhs: ImageRecord) -> Bool {
        let left = lhs.uploadedAt ?? lhs.updatedAt
        let right = rhs.uploadedAt ?? rhs.updatedAt
        return left != right ? left > right : lhs.imageID > rhs.imageID
    }

    /// The same facts, ignoring when they were learnt.
    func sameFacts(as other: ImageRecord) -> Bool {
        var copy = other
        copy.updatedAt = updatedAt
        return self == copy
    }
}

/// An image as the JSON API and the event stream show it: the record's facts with snake_case
/// names, explicit nulls, times as ISO 8601 and the URLs of both images.
struct ImageView: Encodable, Sendable, Equatable {
    let record: ImageRecord

    init(_ record: ImageRecord) {
        self.record = record
    }

    enum CodingKeys: String, CodingKey {
        case imageID = "image_id", filename, originalKey = "original_key", processedKey = "processed_key", state, error
        case originalSize = "original_size", processedSize = "processed_size", width, height
        case uploadedAt = "uploaded_at", updatedAt = "updated_at", originalURL = "original_url", processedURL = "processed_url"
        case timeline, downloadURL = "download_url", downloadName = "download_name"
    }

    func encode(to encoder: any Encoder) throws {
        let processed = record.state == .processed
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(record.imageID, forKey: .imageID)
        try container.encode(record.filename, forKey: .filename)
        try container.encode(record.originalKey, forKey: .originalKey)
        try container.encode(processed ? record.processedKey : nil, forKey: .processedKey)
        try container.encode(record.state, forKey: .state)
        try container.encode(record.error, forKey: .error)
        try container.encode(record.originalSize, forKey: .originalSize)
        try container.encode(record.processedSize, forKey: .processedSize)
        try container.encode(record.width, forKey: .width)
        try container.encode(record.height, forKey: .height)
        try container.encode(record.uploadedAt.map(PipelineJSON.timestamp), forKey: .uploadedAt)
        try container.encode(PipelineJSON.timestamp(record.updatedAt), forKey: .updatedAt)
        try container.encode("/api/images/\(record.imageID)/original", forKey: .originalURL)
        try container.encode(processed ? "/api/images/\(record.imageID)/processed" : nil, forKey: .processedURL)
        try container.encode(ImageTimeline(record), forKey: .timeline)
        try container.encode(processed ? "/api/images/\(record.imageID)/download" : nil, forKey: .downloadURL)
        try container.encode(processed ? DownloadName.result(of: record.filename) : nil, forKey: .downloadName)
    }
}
