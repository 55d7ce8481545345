import Foundation
import ImageEngine
import Logging
import NIOCore
import NIOPosix
import PipelineContract
import Prometheus

/// Works one message of the input queue from start to end.
///
/// Order matters for at-least-once delivery: the processed object, then the event, then the
/// message's deletion. A crash anywhere before the deletion means the message comes again, and
/// doing it all again gives the same object and the same event (the engine is deterministic;
/// the event's deduplication id is `processed_{image_id}`).
struct ImageJob: Sendable {
    let inputQueue: any MessageQueue
    let processedQueue: any MessageQueue
    let inputBucket: any ObjectStore
    let processedBucket: any ObjectStore
    let settings: ProcessorSettings
    let metrics: ProcessorMetrics
    let logger: Logger
    /// Batches the deletions when set (the worker runs it); nil deletes each message at once.
    var deletions: MessageDeletions? = nil
    /// Batches the events when set (the worker runs it); nil sends each event at once.
    var events: EventSends? = nil

    /// What became of a message.
    enum Outcome: Equatable {
        case processed
        case failed(PermanentFailure)
        /// Left in the queue for redelivery (S3 or SQS could not be reached).
        case retry
        /// Failed on the last receive the queue allows: marked failed, left to move to the DLQ.
        case deadLettered
    }

    /// Works `message`; `whenStored` is called once its result (image or failure marker) is
    /// stored, when only its event and deletion remain (the worker frees its slot then).
    @discardableResult
    func handle(_ message: QueueMessage, whenStored: @escaping @Sendable () -> Void = {}) async -> Outcome {
        let started = ContinuousClock.now
        metrics.inFlight.increment()
        defer { metrics.inFlight.decrement() }
        var logger = logger
        logger[metadataKey: "message_id"] = .string(message.id)
        let messageLogger = logger
        // When this processor took the image: the end of its wait in the queue, on its timeline.
        let startedAt = PipelineJSON.timestamp()
        let outcome = await withVisibilityHeartbeat(message) {
            await work(message, startedAt: startedAt, logger: messageLogger, whenStored: whenStored)
        }
        let elapsed = ContinuousClock.now - started
        switch outcome {
        case .processed, .failed:
            metrics.duration.record(elapsed)
        case .retry, .deadLettered:
            metrics.transientErrors.increment()
        }
        return outcome
    }

    func work(_ message: QueueMessage, startedAt: String? = nil, logger: Logger, whenStored: @Sendable () -> Void = {}) async -> Outcome {
        var logger = logger
        let request: ImageUploadedMessage
        do {
            request = try PipelineJSON.decode(ImageUploadedMessage.self, from: message.body)
        } catch {
            return await malformed(message, logger: logger)
        }
        guard ObjectKeys.isImageID(request.imageID), !request.objectKey.isEmpty else {
            return await malformed(message, logger: logger)
        }
        logger[metadataKey: "image_id"] = .string(request.imageID)
        do {
            let result = try await binarize(request)
            try await publish(request, result: result, startedAt: startedAt, whenStored: whenStored)
            await deleteMessage(message, logger: logger)
            metrics.processed.increment()
            logger.info("processed", metadata: [
                "size": "\(result.width)x\(result.height)", "threshold": "\(result.threshold)", "bytes": "\(result.png.count)",
                "receive_count": "\(message.receiveCount)",
            ])
            return .processed
        } catch let failure as PermanentFailure {
            do {
                try await publishFailure(
                    request.imageID, originalKey: request.objectKey, owner: request.owner, filename: request.filename, failure: failure,
                    startedAt: startedAt, whenStored: whenStored
                )
            } catch {
                return await retry(message, error: error, request: request, logger: logger)
            }
            await deleteMessage(message, logger: logger)
            metrics.countFailure(failure.kind)
            logger.notice("failed for good", metadata: ["reason": .string(failure.kind), "error": .string(failure.detail)])
            return .failed(failure)
        } catch {
            return await retry(message, error: error, request: request, logger: logger)
        }
    }

    /// Reads the image and binarizes it on the thread pool (CPU-bound work off the async threads).
    func binarize(_ request: ImageUploadedMessage) async throws -> BinarizedImage {
        let object: StoredObject
        do {
            object = try await inputBucket.get(key: request.objectKey, maxBytes: settings.maxImageBytes)
        } catch ObjectStoreError.notFound {
            throw PermanentFailure.missing(request.objectKey)
        } catch ObjectStoreError.tooLarge(_, let limit) {
            throw PermanentFailure.tooLarge(limit)
        }
        let options = BinarizeOptions(threshold: threshold(request.options), bitDepth: settings.bitDepth, maxPixels: settings.maxPixels)
        let bytes = object.body
        let metrics = metrics
        let result: Result<BinarizedImage, ImageEngineError> = try await NIOThreadPool.singleton.runIfActive {
            let cpuBefore = threadCPUSeconds()
            defer { metrics.engineCPU.increment(by: threadCPUSeconds() - cpuBefore) }
            return bytes.withUnsafeReadableBytes { buffer in
                Result { () throws(ImageEngineError) -> BinarizedImage in try ImageEngine.binarize(buffer, options: options) }
            }
        }
        switch result {
        case .success(let image): return image
        case .failure(let error): throw PermanentFailure(error)
        }
    }

    func threshold(_ options: ProcessingOptions?) -> BinarizeOptions.Threshold {
        switch options?.method {
        case .otsu: .otsu
        case .fixed, nil: .fixed(UInt8(clamping: options?.threshold ?? 127))
        }
    }

    /// Writes the processed object, then its event.
    func publish(_ request: ImageUploadedMessage, result: BinarizedImage, startedAt: String? = nil, whenStored: @Sendable () -> Void = {}) async throws {
        let processedKey = ObjectKeys.processedKey(inputKey: request.objectKey)
        try await processedBucket.put(
            key: processedKey, body: ByteBuffer(bytes: result.png), contentType: "image/png",
            metadata: [
                "image-id": request.imageID, "owner": request.owner ?? ImageOwner.local, "width": String(result.width), "height": String(result.height),
                "threshold": String(result.threshold),
            ]
        )
        whenStored()
        let event = ImageEvent(
            imageID: request.imageID, originalKey: request.objectKey, processedKey: processedKey, status: .processed,
            width: result.width, height: result.height, processedSize: result.png.count, threshold: Int(result.threshold),
            startedAt: startedAt, finishedAt: PipelineJSON.timestamp(), owner: request.owner, filename: request.filename
        )
        try await send(event)
    }

    /// Publishes `event` on the processed queue: in the next batch, or at once.
    func send(_ event: ImageEvent) async throws {
        let message = OutgoingMessage(body: try PipelineJSON.encode(event), groupID: event.imageID, deduplicationID: event.deduplicationID)
        if let events {
            try await events.send(message)
        } else {
            try await processedQueue.send(body: message.body, groupID: message.groupID, deduplicationID: message.deduplicationID)
        }
    }

    /// Leaves the failure marker, then publishes the `failed` event.
    func publishFailure(
        _ imageID: String, originalKey: String, owner: String?, filename: String? = nil, failure: PermanentFailure, startedAt: String? = nil,
        whenStored: @Sendable () -> Void = {}
    ) async throws {
        let marker = try PipelineJSON.encode(FailureMarker(imageID: imageID, error: failure.message, owner: owner))
        try await processedBucket.put(
            key: ObjectKeys.failureMarkerKey(inputKey: originalKey), body: ByteBuffer(string: marker), contentType: "application/json"
        )
        whenStored()
        let event = ImageEvent(
            imageID: imageID, originalKey: originalKey, processedKey: ObjectKeys.processedKey(inputKey: originalKey),
            status: .failed, error: failure.message, startedAt: startedAt, finishedAt: PipelineJSON.timestamp(), owner: owner, filename: filename
        )
        try await send(event)
    }

    /// A body that is not an upload message. When it still names an image, that image is failed
    /// (so its owner sees why); either way the message is deleted: it would fail the same way again.
    func malformed(_ message: QueueMessage, logger: Logger) async -> Outcome {
        let failure = PermanentFailure.malformedMessage("it lacks image_id or object_key, or is not JSON")
        let loose = (try? JSONSerialization.jsonObject(with: Data(message.body.utf8))) as? [String: Any]
        if let imageID = loose?["image_id"] as? String, ObjectKeys.isImageID(imageID),
            let key = (loose?["object_key"] as? String) ?? (loose?["original_key"] as? String), !key.isEmpty
        {
            do {
                try await publishFailure(imageID, originalKey: key, owner: loose?["owner"] as? String, failure: failure)
            } catch {
                return await retry(message, error: error, logger: logger)
            }
        }
        logger.error("deleting a malformed message", metadata: ["body": .string(String(message.body.prefix(200)))])
        await deleteMessage(message, logger: logger)
        metrics.countFailure(failure.kind)
        return .failed(failure)
    }

    /// Leaves the message for redelivery, sooner than the full visibility timeout: a few seconds,
    /// more on each receive. On the last receive the queue allows, the image is failed first (its
    /// owner sees why; a later redrive can still process it) and the message is released at once,
    /// so the queue moves it to the dead-letter queue on the next receive.
    func retry(_ message: QueueMessage, error: any Error, request: ImageUploadedMessage? = nil, logger: Logger) async -> Outcome {
        if let request, message.receiveCount >= settings.maxReceiveCount {
            let failure = PermanentFailure.gaveUp(attempts: message.receiveCount, lastError: error)
            do {
                try await publishFailure(request.imageID, originalKey: request.objectKey, owner: request.owner, filename: request.filename, failure: failure)
                logger.error("failed on the last receive; the message moves to the dead-letter queue", metadata: [
                    "error": .string("\(error)"), "receive_count": "\(message.receiveCount)",
                ])
                metrics.countFailure(failure.kind)
                try? await inputQueue.changeVisibility(receiptHandle: message.receiptHandle, timeout: 0)
                return .deadLettered
            } catch {
                logger.error("could not mark the image failed on its last receive", metadata: ["error": .string("\(error)")])
            }
        }
        let delay = min(settings.visibilityTimeout, 5 * message.receiveCount)
        logger.warning("transient failure; the message will come again", metadata: [
            "error": .string("\(error)"), "receive_count": "\(message.receiveCount)", "retry_in_s": "\(delay)",
        ])
        try? await inputQueue.changeVisibility(receiptHandle: message.receiptHandle, timeout: delay)
        return .retry
    }

    func deleteMessage(_ message: QueueMessage, logger: Logger) async {
        if let deletions {
            await deletions.delete(message.receiptHandle)
            return
        }
        do {
            try await inputQueue.delete(receiptHandle: message.receiptHandle)
        } catch {
            // The work is done and idempotent: a redelivery repeats it harmlessly.
            logger.warning("deleting the message failed; it will be processed again", metadata: ["error": .string("\(error)")])
        }
    }

    /// Runs `body` while extending the message's visibility every `heartbeatInterval`, so a long
    /// image is not handed to another worker halfway through.
    func withVisibilityHeartbeat(_ message: QueueMessage, _ body: @Sendable () async -> Outcome) async -> Outcome {
        await withTaskGroup(of: Outcome?.self) { group in
            group.addTask {
                let deadline = ContinuousClock.now + settings.maxProcessingTime
                while !Task.isCancelled, ContinuousClock.now < deadline {
                    try? await Task.sleep(for: settings.heartbeatInterval)
                    if Task.isCancelled { break }
                    do {
                        try await inputQueue.changeVisibility(receiptHandle: message.receiptHandle, timeout: settings.visibilityTimeout)
                    } catch {
                        logger.warning("extending the visibility failed", metadata: ["error": .string("\(error)")])
                    }
                }
                return nil
            }
            let outcome = await body()
            group.cancelAll()
            return outcome
        }
    }
}

/// The calling thread's CPU time (user and system), in seconds.
func threadCPUSeconds() -> Double {
    var time = timespec()
    guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time) == 0 else { return 0 }
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
