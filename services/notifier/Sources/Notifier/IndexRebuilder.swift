import Logging
import NIOCore
import PipelineContract

/// Reads the two buckets into the index, so that a restart loses nothing: input objects are
/// images (at least queued), `processed_*` objects finish them, `failed_*.json` markers fail them.
/// It runs at start and on `POST /api/refresh` only; in between, events keep the index current.
struct IndexRebuilder: Sendable {
    let index: ImageIndex
    let inputBucket: any ObjectStore
    let processedBucket: any ObjectStore
    let logger: Logger
    /// Failure markers are tiny JSON objects; anything larger is not one of ours.
    let maxMarkerBytes = 64 * 1024

    /// Lists the input bucket: uploads appear as queued; queued ones whose object is gone go.
    func refreshInputs() async throws {
        let objects = try await inputBucket.list(prefix: nil)
        for object in objects {
            await index.noteUpload(inputKey: object.key, size: object.size, uploadedAt: object.lastModified)
        }
        await index.removeQueued(notIn: Set(objects.map(\.key)))
    }

    /// Reads both buckets.
    func rebuild() async throws {
        try await refreshInputs()
        for object in try await processedBucket.list(prefix: nil) {
            guard let inputKey = ObjectKeys.inputKey(fromProcessedBucketKey: object.key) else { continue }
            if object.key.hasPrefix("processed_") {
                await index.noteProcessed(inputKey: inputKey, processedSize: object.size, at: object.lastModified)
            } else if let imageID = ObjectKeys.imageID(fromInputKey: inputKey), await !index.knowsFailure(imageID: imageID) {
                await index.noteFailed(inputKey: inputKey, reason: await failureReason(markerKey: object.key))
            }
        }
    }

    func failureReason(markerKey: String) async -> String {
        do {
            let object = try await processedBucket.get(key: markerKey, maxBytes: maxMarkerBytes)
            return try PipelineJSON.decode(FailureMarker.self, from: String(buffer: object.body)).error
        } catch {
            logger.warning("unreadable failure marker", metadata: ["key": .string(markerKey), "error": .string("\(error)")])
            return "Processing failed."
        }
    }
}
