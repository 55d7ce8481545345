import Foundation

/// The body of a new-image-input.fifo message: an image waiting to be processed.
///
/// Only `image_id` and `object_key` are required (the original Python upload route sends just
/// those); the rest are the project's additions.
public struct ImageUploadedMessage: Codable, Sendable, Equatable {
    public var imageID: String
    public var objectKey: String
    public var bucket: String?
    public var filename: String?
    public var size: Int?
    public var width: Int?
    public var height: Int?
    /// ISO 8601 time the upload was accepted.
    public var uploadedAt: String?
    /// Processing options chosen at upload; nil means the reference's fixed threshold 127.
    public var options: ProcessingOptions?
    /// Whose image it is; absent (the original Python upload route) means ``ImageOwner/local``.
    public var owner: String?

    enum CodingKeys: String, CodingKey {
        case imageID = "image_id", objectKey = "object_key", bucket, filename, size, width, height
        case uploadedAt = "uploaded_at", options, owner
    }

    public init(
        imageID: String, objectKey: String, bucket: String? = nil, filename: String? = nil, size: Int? = nil,
        width: Int? = nil, height: Int? = nil, uploadedAt: String? = nil, options: ProcessingOptions? = nil, owner: String? = nil
    ) {
        self.imageID = imageID
        self.objectKey = objectKey
        self.bucket = bucket
        self.filename = filename
        self.size = size
        self.width = width
        self.height = height
        self.uploadedAt = uploadedAt
        self.options = options
        self.owner = owner
    }
}

/// How an image is to be binarized.
public struct ProcessingOptions: Codable, Sendable, Equatable {
    public enum Method: String, Codable, Sendable {
        /// A fixed threshold (127 unless `threshold` says otherwise), as the reference.
        case fixed
        /// Otsu's method picks the threshold per image.
        case otsu
    }

    public var method: Method
    /// 0–255; used by `fixed`.
    public var threshold: Int?

    public init(method: Method = .fixed, threshold: Int? = nil) {
        self.method = method
        self.threshold = threshold
    }

    public static let reference = ProcessingOptions(method: .fixed, threshold: 127)
}

/// The body of a new-image-processed.fifo message: one step of one image's life.
///
/// The upload API sends `queued` right after it queues the work; the processor sends `processed`
/// or `failed`. States only move forward (queued < failed < processed), so order does not matter.
/// A message without `status` is `processed`: the original Python worker sends exactly
/// `image_id`, `original_key` and `processed_key`.
public struct ImageEvent: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, Comparable {
        case queued
        case failed
        case processed

        /// queued < failed < processed: a success may follow a failure (a redrive), never the reverse.
        public static func < (lhs: Status, rhs: Status) -> Bool { lhs.rank < rhs.rank }

        /// 0, 1, 2: the order states move in (the image table stores it to compare in a condition).
        public var rank: Int {
            switch self {
            case .queued: 0
            case .failed: 1
            case .processed: 2
            }
        }
    }

    public var imageID: String
    public var originalKey: String
    /// `processed_{original key}`; absent on `queued`.
    public var processedKey: String?
    public var status: Status
    /// A short human sentence, on failure.
    public var error: String?
    public var width: Int?
    public var height: Int?
    /// Bytes of the upload (`queued`) or of the processed image (`processed`).
    public var size: Int?
    public var processedSize: Int?
    /// The threshold actually used (Otsu picks one per image).
    public var threshold: Int?
    public var processingMilliseconds: Double?
    /// ISO 8601 time the upload was accepted (`queued`).
    public var uploadedAt: String?
    /// ISO 8601 time a processor took the message (`processed`, `failed`).
    public var startedAt: String?
    /// ISO 8601 time of the outcome (`processed`, `failed`).
    public var finishedAt: String?
    /// Whose image it is; absent (the original Python worker, events from before owners) means
    /// ``ImageOwner/local``.
    public var owner: String?
    /// The file's name as uploaded (any Unicode, ``ObjectKeys/displayName(_:)``): what the page and
    /// downloads show. Absent (older events), the name in the key.
    public var filename: String?

    enum CodingKeys: String, CodingKey {
        case imageID = "image_id", originalKey = "original_key", processedKey = "processed_key", status, error
        case width, height, size, processedSize = "processed_size", threshold
        case processingMilliseconds = "processing_ms", uploadedAt = "uploaded_at", startedAt = "started_at"
        case finishedAt = "finished_at", owner, filename
    }

    public init(
        imageID: String, originalKey: String, processedKey: String? = nil, status: Status, error: String? = nil,
        width: Int? = nil, height: Int? = nil, size: Int? = nil, processedSize: Int? = nil, threshold: Int? = nil,
        processingMilliseconds: Double? = nil, uploadedAt: String? = nil, startedAt: String? = nil, finishedAt: String? = nil,
        owner: String? = nil, filename: String? = nil
    ) {
        self.imageID = imageID
        self.originalKey = originalKey
        self.processedKey = processedKey
        self.status = status
        self.error = error
        self.width = width
        self.height = height
        self.size = size
        self.processedSize = processedSize
        self.threshold = threshold
        self.processingMilliseconds = processingMilliseconds
        self.uploadedAt = uploadedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.owner = owner
        self.filename = filename
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        imageID = try container.decode(String.self, forKey: .imageID)
        originalKey = try container.decode(String.self, forKey: .originalKey)
        processedKey = try container.decodeIfPresent(String.self, forKey: .processedKey)
        status = try container.decodeIfPresent(Status.self, forKey: .status) ?? .processed
        error = try container.decodeIfPresent(String.self, forKey: .error)
        width = try container.decodeIfPresent(Int.self, forKey: .width)
        height = try container.decodeIfPresent(Int.self, forKey: .height)
        size = try container.decodeIfPresent(Int.self, forKey: .size)
        processedSize = try container.decodeIfPresent(Int.self, forKey: .processedSize)
        threshold = try container.decodeIfPresent(Int.self, forKey: .threshold)
        processingMilliseconds = try container.decodeIfPresent(Double.self, forKey: .processingMilliseconds)
        uploadedAt = try container.decodeIfPresent(String.self, forKey: .uploadedAt)
        startedAt = try container.decodeIfPresent(String.self, forKey: .startedAt)
        finishedAt = try container.decodeIfPresent(String.self, forKey: .finishedAt)
        owner = try container.decodeIfPresent(String.self, forKey: .owner)
        filename = try container.decodeIfPresent(String.self, forKey: .filename)
    }

    /// The FIFO deduplication id: `queued_{image_id}` for the upload's event, `processed_{image_id}`
    /// for success (the contract's), `failed_{image_id}` for a failure, so that a redelivered
    /// outcome is sent once, and a success that follows a failure (a dead letter sent back within
    /// SQS's five-minute deduplication window) is never taken for a repeat of it and dropped.
    public var deduplicationID: String {
        switch status {
        case .queued: "queued_\(imageID)"
        case .failed: "failed_\(imageID)"
        case .processed: "processed_\(imageID)"
        }
    }
}

/// The object `failed_{input key}.json` in the processed bucket: a permanent failure, so state
/// rebuilt from the buckets alone still knows it.
public struct FailureMarker: Codable, Sendable, Equatable {
    public var imageID: String
    public var error: String
    /// Whose image it is (absent in markers from before owners: ``ImageOwner/local``).
    public var owner: String?

    enum CodingKeys: String, CodingKey { case imageID = "image_id", error, owner }

    public init(imageID: String, error: String, owner: String? = nil) {
        self.imageID = imageID
        self.error = error
        self.owner = owner
    }
}

/// JSON encoding shared by every message: sorted keys, so equal messages have equal bodies.
public enum PipelineJSON {
    public static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from text: some StringProtocol) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// An ISO 8601 time with milliseconds, UTC.
    public static func timestamp(_ date: Date = Date()) -> String {
        date.formatted(timestampStyle)
    }

    /// The time a ``timestamp(_:)`` (or any ISO 8601 time, with or without fractions) names.
    public static func date(fromTimestamp text: String) -> Date? {
        (try? timestampStyle.parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text))
    }

    static let timestampStyle = Date.ISO8601FormatStyle.iso8601.year().month().day()
        .time(includingFractionalSeconds: true).timeZone(separator: .omitted)
}
