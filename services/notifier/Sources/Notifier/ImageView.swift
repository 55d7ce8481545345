import Foundation
import PipelineContract

/// An image as the JSON API and the event stream show it: the record's facts with snake_case
/// names, explicit nulls, times as ISO 8601 and the URLs of both images.
struct ImageView: Encodable, Sendable, Equatable {
    let record: ImageItem

    init(_ record: ImageItem) {
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
        try container.encode(PipelineJSON.timestamp(record.uploadedAt), forKey: .uploadedAt)
        try container.encode(PipelineJSON.timestamp(record.updatedAt), forKey: .updatedAt)
        try container.encode("/api/images/\(record.imageID)/original", forKey: .originalURL)
        try container.encode(processed ? "/api/images/\(record.imageID)/processed" : nil, forKey: .processedURL)
        try container.encode(ImageTimeline(record), forKey: .timeline)
        try container.encode(processed ? "/api/images/\(record.imageID)/download" : nil, forKey: .downloadURL)
        try container.encode(processed ? DownloadName.result(of: record.filename) : nil, forKey: .downloadName)
    }
}
