import Foundation
import Logging
import NIOCore
import PipelineContract

/// `pipeline-setup reindex`: rebuilds image-table items from the buckets alone, for images from
/// before the table or written by other tools. Input objects are images (at least queued),
/// `processed_*` objects finish them, `failed_*.json` markers fail them with their reason. Each item
/// is written only if the table does not know the image as far along (``ImageTable/restore(_:)``),
/// so running it again, or while notifiers apply events, moves nothing back. The owner comes from
/// the original's metadata (`owner`; `local` when it has none, as the Python pipeline's objects),
/// and so does the name as uploaded (`filename`, percent-encoded; else the key's reduced name).
///
/// Maintenance, never part of a start: it lists both buckets whole.
public struct ImageReindexer: Sendable {
    public let inputBucket: any ObjectStore
    public let processedBucket: any ObjectStore
    public let table: any ImageTable
    public let logger: Logger
    /// Failure markers are tiny JSON objects; anything larger is not one of ours.
    let maxMarkerBytes = 64 * 1024

    public init(inputBucket: any ObjectStore, processedBucket: any ObjectStore, table: any ImageTable, logger: Logger) {
        self.inputBucket = inputBucket
        self.processedBucket = processedBucket
        self.table = table
        self.logger = logger
    }

    /// What a run did.
    public struct Report: Sendable, Equatable {
        public var images = 0
        /// Items written (new, or further along than the table knew).
        public var written = 0
        /// Items the table already knew as far along.
        public var kept = 0

        public init(images: Int = 0, written: Int = 0, kept: Int = 0) {
            self.images = images
            self.written = written
            self.kept = kept
        }
    }

    public func run(now: Date = Date()) async throws -> Report {
        var items: [String: ImageItem] = [:]
        for object in try await inputBucket.list(prefix: nil) {
            guard let imageID = ObjectKeys.imageID(fromInputKey: object.key) else { continue }
            let metadata = try await inputBucket.head(key: object.key)?.metadata ?? [:]
            let owner = metadata["owner"] ?? ImageOwner.local
            var item = ImageItem(imageID: imageID, owner: owner, originalKey: object.key, uploadedAt: object.lastModified ?? now, updatedAt: now)
            // The name as uploaded, when the upload API wrote it beside the key.
            if let name = metadata["filename"].flatMap(ObjectKeys.displayName(metadataValue:)) { item.filename = name }
            item.originalSize = object.size
            items[imageID] = item
        }
        for object in try await processedBucket.list(prefix: nil) {
            guard let inputKey = ObjectKeys.inputKey(fromProcessedBucketKey: object.key),
                let imageID = ObjectKeys.imageID(fromInputKey: inputKey)
            else { continue }
            var item = items[imageID] ?? ImageItem(imageID: imageID, originalKey: inputKey, uploadedAt: object.lastModified ?? now, updatedAt: now)
            if object.key.hasPrefix("processed_") {
                item.state = .processed
                item.error = nil
                item.processedKey = object.key
                item.processedSize = object.size
            } else if item.state != .processed {
                let marker = await failureMarker(key: object.key)
                item.state = .failed
                item.error = marker.error
                // An original deleted since: the marker still says whose image it was.
                if items[imageID] == nil, let owner = marker.owner { item.owner = owner }
            }
            items[imageID] = item
        }
        var report = Report(images: items.count)
        for item in items.values {
            if try await table.restore(item) { report.written += 1 } else { report.kept += 1 }
        }
        return report
    }

    func failureMarker(key markerKey: String) async -> FailureMarker {
        do {
            let object = try await processedBucket.get(key: markerKey, maxBytes: maxMarkerBytes)
            return try PipelineJSON.decode(FailureMarker.self, from: String(buffer: object.body))
        } catch {
            logger.warning("unreadable failure marker", metadata: ["key": .string(markerKey), "error": .string("\(error)")])
            return FailureMarker(imageID: "", error: "Processing failed.")
        }
    }
}
