import Foundation

/// One page of an owner's images, newest first, and where the next starts (nil: no more).
public struct ImagePage: Sendable, Equatable {
    public var items: [ImageItem]
    /// Opaque: hand it back as `after` for the next page.
    public var nextCursor: String?

    public init(items: [ImageItem], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// Every way an image table call fails.
public enum ImageTableError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A cursor this table did not hand out.
    case invalidCursor
    /// The table could not do it (unreachable, throttled, refused); worth trying again later.
    case unavailable(reason: String)

    public var description: String {
        switch self {
        case .invalidCursor: "the cursor is not one this table handed out"
        case .unavailable(let reason): "the image table failed: \(reason)"
        }
    }
}

/// How an event changed an item.
public struct ImageTableWrite: Sendable, Equatable {
    /// The item after the event.
    public var item: ImageItem
    /// The outcome (processed or failed) the image reached through this event: nil for `queued`,
    /// so each outcome is counted once however often its event comes.
    public var reachedOutcome: ImageState?

    public init(item: ImageItem, reachedOutcome: ImageState?) {
        self.item = item
        self.reachedOutcome = reachedOutcome
    }
}

/// The image index: the seam between the services and DynamoDB (an in-memory fake in tests).
/// Every call throws ``ImageTableError`` only.
///
/// Events are applied with conditional writes, so that a state only moves forward and an event
/// that arrives again or late changes nothing:
/// - `queued` creates the item or adds what only it knows (size, upload time) once;
/// - an outcome moves the state to `failed` or `processed` unless the item is already as far
///   (a failure may still be followed by success, a redrive), and sets its times and sizes.
public protocol ImageTable: Sendable {
    /// Applies an event. Returns the item after it, or nil when the event changed nothing.
    ///
    /// - Parameters:
    ///   - now: when it is applied (the item's `updatedAt`, an outcome's `notifiedAt`).
    ///   - expiresAt: when a new item expires (RETENTION_DAYS), if ever.
    func apply(_ event: ImageEvent, at now: Date, expiresAt: Date?) async throws -> ImageTableWrite?

    /// Writes an item rebuilt from the buckets (`pipeline-setup reindex`), unless the table already
    /// knows the image as far along. Returns whether it wrote. An item it keeps still gets what the
    /// current indexes need, if it predates them (DynamoDB: `listing`, for administrators' pages).
    func restore(_ item: ImageItem) async throws -> Bool

    /// The image with this id, whoever owns it (the caller checks the owner), or nil.
    func item(_ imageID: String) async throws -> ImageItem?

    /// A page of `owner`'s images (nil: every owner's), newest first, after `cursor` (from the
    /// previous page of the same listing).
    func page(owner: String?, limit: Int, after cursor: String?) async throws -> ImagePage

    /// Throws when the table cannot be reached (readiness).
    func checkReachable() async throws
}

/// A change of the table, as its stream tells it.
public enum ImageTableChange: Sendable, Equatable {
    /// An item as it is after a write.
    case updated(ImageItem)
    /// An item gone (expired), and whose it was when the stream says (nil: unknown).
    case removed(imageID: String, owner: String?)
    /// Changes may have been missed (the stream lost records): whoever shows the table reads it again.
    case resync
}

/// The table's changes as they happen: the seam to DynamoDB Streams (the fake's own writes in tests).
public protocol ImageChangeFeed: Sendable {
    /// Every change from now on, until the task is cancelled. Gaps (the stream unreachable) are
    /// retried by the feed itself; the sequence ends only on cancellation.
    func changes() -> AsyncStream<ImageTableChange>
}

/// The position after an item in newest-first order, as an opaque page cursor: base64url of
/// `{upload time}|{image id}`. Both tables hand out and read the same cursors.
public struct ImageCursor: Sendable, Equatable {
    /// The item's upload time as stored (``PipelineJSON/timestamp(_:)``, which sorts as text).
    public var uploadedAt: String
    public var imageID: String

    public init(uploadedAt: String, imageID: String) {
        self.uploadedAt = uploadedAt
        self.imageID = imageID
    }

    public init(after item: ImageItem) {
        self.init(uploadedAt: PipelineJSON.timestamp(item.uploadedAt), imageID: item.imageID)
    }

    /// Reads a cursor; throws ``ImageTableError/invalidCursor`` for anything else.
    public init(parsing text: String) throws(ImageTableError) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard text.count <= 200, let data = Data(base64Encoded: base64), let decoded = String(data: data, encoding: .utf8) else {
            throw .invalidCursor
        }
        let parts = decoded.split(separator: "|", maxSplits: 1).map(String.init)
        guard parts.count == 2, PipelineJSON.date(fromTimestamp: parts[0]) != nil, !parts[1].isEmpty else { throw .invalidCursor }
        self.init(uploadedAt: parts[0], imageID: parts[1])
    }

    public var text: String {
        Data("\(uploadedAt)|\(imageID)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
