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

/// An image as the JSON API shows it.
struct ImageView: Codable, Sendable, Equatable {
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
    var uploadedAt: String?
    var updatedAt: String?
    var originalURL: String
    var processedURL: String?

    enum CodingKeys: String, CodingKey {
        case imageID = "image_id", filename, originalKey = "original_key", processedKey = "processed_key", state, error
        case originalSize = "original_size", processedSize = "processed_size", width, height
        case uploadedAt = "uploaded_at", updatedAt = "updated_at", originalURL = "original_url", processedURL = "processed_url"
    }

    init(_ record: ImageRecord) {
        imageID = record.imageID
        filename = record.filename
        originalKey = record.originalKey
        processedKey = record.state == .processed ? record.processedKey : nil
        state = record.state
        error = record.error
        originalSize = record.originalSize
        processedSize = record.processedSize
        width = record.width
        height = record.height
        uploadedAt = record.uploadedAt.map(PipelineJSON.timestamp)
        updatedAt = PipelineJSON.timestamp(record.updatedAt)
        originalURL = "/api/images/\(record.imageID)/original"
        processedURL = record.state == .processed ? "/api/images/\(record.imageID)/processed" : nil
    }

    /// Encodes with explicit nulls, so clients see every field.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(imageID, forKey: .imageID)
        try container.encode(filename, forKey: .filename)
        try container.encode(originalKey, forKey: .originalKey)
        try container.encode(processedKey, forKey: .processedKey)
        try container.encode(state, forKey: .state)
        try container.encode(error, forKey: .error)
        try container.encode(originalSize, forKey: .originalSize)
        try container.encode(processedSize, forKey: .processedSize)
        try container.encode(width, forKey: .width)
        try container.encode(height, forKey: .height)
        try container.encode(uploadedAt, forKey: .uploadedAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(originalURL, forKey: .originalURL)
        try container.encode(processedURL, forKey: .processedURL)
    }
}
