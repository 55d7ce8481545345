import Foundation
import PipelineContract
import Synchronization

/// An ``ImageTable`` in memory with DynamoDB's rules for this table (conditional writes, states
/// only forward, pages newest first) and its own change feed, like the table's stream.
public final class InMemoryImageTable: ImageTable, ImageChangeFeed {
    public enum Operation: Sendable, Hashable { case apply, read, reachability }

    struct State {
        var items: [String: ImageItem] = [:]
        /// Images whose `queued` event was applied (it adds its facts once).
        var queuedApplied: Set<String> = []
        var failures: [Operation: ImageTableError] = [:]
        var subscribers: [UUID: AsyncStream<ImageTableChange>.Continuation] = [:]
        var writes = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Makes every later call of `operation` throw `error` (nil heals it), as an unreachable or
    /// throttling table would.
    public func fail(_ operation: Operation, with error: ImageTableError? = .unavailable(reason: "connection refused")) {
        state.withLock { $0.failures[operation] = error }
    }

    /// Every item, by id.
    public var items: [String: ImageItem] { state.withLock { $0.items } }

    /// How many writes changed an item.
    public var writes: Int { state.withLock { $0.writes } }

    private func check(_ operation: Operation) throws(ImageTableError) {
        if let failure = state.withLock({ $0.failures[operation] }) { throw failure }
    }

    public func apply(_ event: ImageEvent, at now: Date, expiresAt: Date?) async throws -> ImageTableWrite? {
        try check(.apply)
        let write: ImageTableWrite? = state.withLock { state in
            let existing = state.items[event.imageID]
            let uploadedAt = event.uploadedAt.flatMap(PipelineJSON.date(fromTimestamp:))
            var item = existing ?? ImageItem(
                imageID: event.imageID, owner: event.owner ?? ImageOwner.local, originalKey: event.originalKey,
                uploadedAt: uploadedAt ?? now, updatedAt: now
            )
            if existing == nil {
                item.expiresAt = expiresAt
                if let filename = event.filename { item.filename = filename }
            }
            switch event.status {
            case .queued:
                guard !state.queuedApplied.contains(event.imageID) else { return nil }
                state.queuedApplied.insert(event.imageID)
                // The upload's own word on the name wins.
                if let filename = event.filename { item.filename = filename }
                item.originalSize = item.originalSize ?? event.size
                if let uploadedAt { item.uploadedAt = uploadedAt }
            case .failed, .processed:
                if let existing, !(existing.state < event.status || (existing.state == event.status && existing.notifiedAt == nil)) {
                    return nil
                }
                item.state = event.status
                if event.status == .processed {
                    item.error = nil
                    item.processedKey = event.processedKey ?? ObjectKeys.processedKey(inputKey: event.originalKey)
                } else {
                    item.error = event.error ?? "Processing failed."
                }
                item.processedSize = event.processedSize ?? item.processedSize
                item.width = event.width ?? item.width
                item.height = event.height ?? item.height
                item.startedAt = event.startedAt.flatMap(PipelineJSON.date(fromTimestamp:)) ?? item.startedAt
                item.finishedAt = event.finishedAt.flatMap(PipelineJSON.date(fromTimestamp:)) ?? item.finishedAt
                item.notifiedAt = now
            }
            item.updatedAt = now
            Self.store(item, in: &state)
            return ImageTableWrite(item: item, reachedOutcome: event.status == .queued ? nil : event.status)
        }
        return write
    }

    public func restore(_ item: ImageItem) async throws -> Bool {
        try check(.apply)
        return state.withLock { state in
            if let existing = state.items[item.imageID], existing.state >= item.state { return false }
            Self.store(item, in: &state)
            return true
        }
    }

    private static func store(_ item: ImageItem, in state: inout State) {
        state.items[item.imageID] = item
        state.writes += 1
        for continuation in state.subscribers.values { continuation.yield(.updated(item)) }
    }

    /// Drops an item, as the table's expiry does, and tells the feed.
    public func expire(_ imageID: String) {
        state.withLock { state in
            guard let item = state.items.removeValue(forKey: imageID) else { return }
            for continuation in state.subscribers.values { continuation.yield(.removed(imageID: imageID, owner: item.owner)) }
        }
    }

    /// Tells the feed's readers that changes may have been missed.
    public func announceGap() {
        state.withLock { state in
            for continuation in state.subscribers.values { continuation.yield(.resync) }
        }
    }

    public func item(_ imageID: String) async throws -> ImageItem? {
        try check(.read)
        return state.withLock { $0.items[imageID] }
    }

    public func page(owner: String?, limit: Int, after cursor: String?) async throws -> ImagePage {
        try check(.read)
        let anchor = try cursor.map { text throws(ImageTableError) in try ImageCursor(parsing: text) }
        return state.withLock { state in
            // Ordered as the table's index is: by the stored upload time (text), then the id.
            func position(_ item: ImageItem) -> (String, String) {
                let cursor = ImageCursor(after: item)
                return (cursor.uploadedAt, cursor.imageID)
            }
            var items = state.items.values.filter { owner == nil || $0.owner == owner }.sorted { position($0) > position($1) }
            if let anchor { items.removeAll { position($0) >= (anchor.uploadedAt, anchor.imageID) } }
            let page = Array(items.prefix(limit))
            return ImagePage(items: page, nextCursor: items.count > limit ? page.last.map { ImageCursor(after: $0).text } : nil)
        }
    }

    public func checkReachable() async throws {
        try check(.reachability)
    }

    public func changes() -> AsyncStream<ImageTableChange> {
        let (stream, continuation) = AsyncStream.makeStream(of: ImageTableChange.self)
        let id = UUID()
        state.withLock { $0.subscribers[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }
}
