import AWSClient
import Crypto
import Logging
import PipelineConcurrency
import PipelineContract
import PipelineService

/// What an upload does to the pipeline, in order: store the file in the input bucket, queue its
/// work, undo the store when the work cannot be queued (no object without its message), and
/// announce it to the notifier. ``UploadController`` decides when; this does each step with its
/// retries and its logs.
struct UploadStore: Sendable {
    /// INPUT_BUCKET.
    let objects: any ObjectStore
    /// INPUT_QUEUE: the work.
    let queue: any MessageQueue
    /// PROCESSED_QUEUE: the `queued` event.
    let events: any MessageQueue

    /// The bucket uploads are stored in, for the work message.
    var bucket: String { objects.name }

    /// What storing an upload came to.
    enum Stored: Equatable {
        /// This request stored the object, of this size.
        case new(size: Int)
        /// An object was there already (a retry with the same Idempotency-Key): nothing was written.
        case existing
    }

    /// Streams the file into the store, only if no object has its key (an original is never
    /// overwritten); a refusal met on the way (too large, malformed, a bad option) comes out as it
    /// is, and the store leaves nothing behind for it. `digest`, when given, sees every byte. The
    /// object's metadata names the image, its owner and its name as uploaded (percent-encoded).
    func store(
        _ body: UploadBodyStream, key: String, imageID: String, owner: String, displayName: String, digest: BodyDigest?, logger: Logger
    ) async throws -> Stored {
        do {
            let file = digest.map { $0.reading(body.file) } ?? body.file
            let metadata = ["image-id": imageID, "owner": owner, "filename": ObjectKeys.metadataValue(displayName: displayName)]
            let size = try await objects.write(key: key, body: file, contentType: "image/png", metadata: metadata, ifAbsent: true)
            // Past the deadline the client hears 503: the stored object must go, unqueued.
            try Task.checkCancellation()
            return .new(size: size)
        } catch ObjectStoreError.alreadyExists {
            return .existing
        } catch let refusal as UploadRefusal {
            throw refusal
        } catch {
            logger.error("storing the upload failed", metadata: ["key": .string(key), "error": .string("\(error)")])
            // A put cut short may have stored the object all the same.
            await undo(key, logger: logger)
            throw APIError.unavailable("The image store")
        }
    }

    /// Whether the object at `key` has the bytes whose SHA-256 `digest` holds (read from the store
    /// as it streams, for a retry only).
    func holds(_ key: String, sameAs digest: BodyDigest) async throws -> Bool {
        do {
            let stored = BodyDigest()
            for try await _ in stored.reading(try await objects.stream(key: key).body) {}
            return stored.value == digest.value
        } catch {
            throw APIError.unavailable("The image store")
        }
    }

    /// The key of another object of the same image (an earlier upload under the same
    /// Idempotency-Key with another file name), if there is one.
    func otherObject(of imageID: String, than key: String) async throws -> String? {
        do {
            return try await objects.list(prefix: "\(imageID)_").map(\.key).first { $0 != key }
        } catch {
            throw APIError.unavailable("The image store")
        }
    }

    /// Queues the message of a stored upload; if that fails the object is deleted again (when
    /// `undoing`: this request stored it), so nothing is left that no message points to.
    ///
    /// A transient failure is tried again until the send gets an answer or the request's deadline
    /// cancels it: the send may have been delivered with its answer lost, and only an answer tells
    /// (a retry carries the same deduplication id, so it never queues the image twice). Deleting
    /// the object of a message that did get through would fail an upload the client was told is
    /// accepted, or, if the processor got there first, process one it was told to send again.
    func enqueue(_ message: ImageUploadedMessage, undoing: Bool = true, logger: Logger) async throws {
        do {
            let body = try PipelineJSON.encode(message)
            let logRetry: (any Error, Int) -> Void = { error, _ in
                guard Self.isTransient(error) else { return }
                logger.warning("queueing the upload failed; trying again until the deadline", metadata: [
                    "key": .string(message.objectKey), "error": .string("\(error)"),
                ])
            }
            try await Self.retries.retrying(if: Self.isTransient, onFailure: logRetry) {
                try await queue.send(body: body, groupID: message.imageID, deduplicationID: message.imageID)
            }
        } catch {
            guard undoing else {
                // The object is an earlier request's, whose own message decides its fate.
                logger.error("queueing a retried upload failed", metadata: ["key": .string(message.objectKey), "error": .string("\(error)")])
                throw APIError.unavailable("The processing queue")
            }
            logger.error("queueing the upload failed; deleting its object", metadata: ["key": .string(message.objectKey), "error": .string("\(error)")])
            await undo(message.objectKey, logger: logger)
            throw APIError.unavailable("The processing queue")
        }
    }

    /// Sends and deletes are tried again until their deadline, pauses growing from 250 ms to 2 s.
    static let retries = RetryPolicy.untilStopped(first: .milliseconds(250), longest: .seconds(2))

    /// A queue failure that another attempt may mend, while the work still has time.
    static func isTransient(_ error: any Error) -> Bool {
        (error as? MessageQueueError)?.isTransient == true && !Task.isCancelled
    }

    /// Deletes the object of an upload whose message could not be sent, trying again for a while
    /// (an outage that broke the send may break the delete too): no object without its message.
    /// It runs to the end in a task of its own, also when the upload's work was cancelled.
    ///
    /// Each attempt gets a few seconds and the pauses are short, so the delete lands within
    /// seconds of the end of an outage: if the message did get through, the processor must find
    /// the object gone (a connection caught by a network partition would otherwise hold an
    /// attempt for the whole call timeout, and the processor would get there first).
    func undo(_ key: String, logger: Logger, giveUpAfter limit: Duration = .seconds(300)) async {
        await Task { await deleteWithRetries(key, logger: logger, giveUpAfter: limit) }.value
    }

    private func deleteWithRetries(_ key: String, logger: Logger, giveUpAfter limit: Duration) async {
        do {
            let logFailure: (any Error, Int) -> Void = { error, attempt in
                guard attempt == 1 || attempt.isMultiple(of: 10) else { return }  // an outage is not logged every 2 s
                logger.error("deleting the object of an unqueued upload failed", metadata: [
                    "key": .string(key), "attempt": "\(attempt)", "error": .string("\(error)"),
                ])
            }
            try await Self.retries.retrying(giveUpAfter: limit, onFailure: logFailure) {
                try await withTimeLimit(.seconds(5)) { try await objects.delete(key: key) }
            }
        } catch {
            logger.critical("gave up deleting the object of an unqueued upload", metadata: ["key": .string(key)])
        }
    }

    /// Sends the `queued` event, from which the notifier learns of the upload. The work is already
    /// queued, so a failure here loses nothing: the processor's outcome event names the image too.
    func announce(_ message: ImageUploadedMessage, logger: Logger) async {
        let event = ImageEvent(
            imageID: message.imageID, originalKey: message.objectKey, status: .queued,
            width: message.width, height: message.height, size: message.size, uploadedAt: message.uploadedAt, owner: message.owner,
            filename: message.filename
        )
        do {
            try await events.send(body: try PipelineJSON.encode(event), groupID: event.imageID, deduplicationID: event.deduplicationID)
        } catch {
            logger.warning("sending the queued event failed; the image appears when it is processed", metadata: ["error": .string("\(error)")])
        }
    }
}
