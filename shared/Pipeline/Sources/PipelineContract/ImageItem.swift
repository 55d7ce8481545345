import Foundation

/// Where an image is in the pipeline; states only move forward (queued < failed < processed).
public typealias ImageState = ImageEvent.Status

/// Whose images are whose.
public enum ImageOwner {
    /// The one owner when there is no sign-in (`AUTH_MODE=none`), and of anything that names none.
    public static let local = "local"
}

/// What the image table holds of one image: one item, written only by applying events (or by
/// `pipeline-setup reindex` from the buckets).
public struct ImageItem: Sendable, Equatable {
    public var imageID: String
    public var owner: String
    public var filename: String
    public var originalKey: String
    public var processedKey: String?
    public var state: ImageState
    public var error: String?
    public var originalSize: Int?
    public var processedSize: Int?
    public var width: Int?
    public var height: Int?
    /// When the upload was accepted (the `queued` event's time; until it comes, the first event's).
    public var uploadedAt: Date
    /// When a processor took the image (from its outcome event).
    public var startedAt: Date?
    /// When the processor finished, successfully or not (from its outcome event).
    public var finishedAt: Date?
    /// When a notifier applied the outcome (nil for an item rebuilt from the buckets).
    public var notifiedAt: Date?
    public var updatedAt: Date
    /// When the table drops the item (RETENTION_DAYS), if ever.
    public var expiresAt: Date?

    public init(
        imageID: String, owner: String = ImageOwner.local, originalKey: String, state: ImageState = .queued,
        uploadedAt: Date, updatedAt: Date? = nil
    ) {
        self.imageID = imageID
        self.owner = owner
        self.originalKey = originalKey
        self.filename = ObjectKeys.filename(fromInputKey: originalKey)
        self.state = state
        self.uploadedAt = uploadedAt
        self.updatedAt = updatedAt ?? uploadedAt
    }

    /// Newest upload first; the id breaks ties so that the order is total (pages are stable).
    public static func newestFirst(_ lhs: ImageItem, _ rhs: ImageItem) -> Bool {
        lhs.uploadedAt != rhs.uploadedAt ? lhs.uploadedAt > rhs.uploadedAt : lhs.imageID > rhs.imageID
    }
}
