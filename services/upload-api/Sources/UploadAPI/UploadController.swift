import AWSClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import PipelineConcurrency
import PipelineContract
import PipelineService
import Prometheus

/// `POST /upload`: validates a PNG from its bytes, stores it in the input bucket and queues it.
struct UploadController: Sendable {
    let store: any ObjectStore
    let queue: any MessageQueue
    let events: any MessageQueue
    let limits: ImageLimits
    let metrics: UploadMetrics
    let inFlight: UploadsInFlight

    func addRoutes(to router: Router<ServiceRequestContext>) {
        router.post("/upload") { request, context in
            try await upload(request, context: context)
        }
    }

    /// The JSON answer of an accepted upload.
    struct Accepted: ResponseEncodable {
        var imageID: String
        var objectKey: String
        var status = "queued"

        enum CodingKeys: String, CodingKey { case imageID = "image_id", objectKey = "object_key", status }
    }

    func upload(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let started = ContinuousClock.now
        var logger = context.logger
        var outcome: (status: Int, size: Int?, header: PNGHeader?, error: String?) = (500, nil, nil, nil)
        defer {
            let elapsed = ContinuousClock.now - started
            metrics.countRequest(status: outcome.status)
            metrics.duration.record(elapsed)
            var metadata: Logger.Metadata = [
                "status": .stringConvertible(outcome.status),
                "duration_ms": .string(String(format: "%.1f", Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)),
            ]
            if let size = outcome.size { metadata["size"] = .stringConvertible(size) }
            if let header = outcome.header { metadata["dimensions"] = .string("\(header.width)x\(header.height)") }
            if let error = outcome.error { metadata["error"] = .string(error) }
            logger.info("upload", metadata: metadata)
        }
        do {
            let idempotencyKey = try IdempotencyKey.parse(request.headers[.idempotencyKey])
            let query = request.uri.queryParameters
            // Options in the query are refused before a byte is stored; the form's are known at the end.
            _ = try Self.options(query: query, fields: [:])
            let options = Shared<ProcessingOptions?>(nil)
            let body = try UploadBodyStream(request, maxBytes: limits.maxUploadBytes) { fields throws(UploadRefusal) in
                options.set(try Self.options(query: query, fields: fields))
            }
            let header = try await checkHeader(of: body)
            outcome.header = header
            // A retry with the same key gets the same id, so the same object and (within SQS's
            // deduplication window) the same message: one image, however often it is sent.
            let imageID = idempotencyKey.map(IdempotencyKey.imageID(for:)) ?? ObjectKeys.newImageID()
            logger[metadataKey: "image_id"] = .string(imageID)
            let filename = body.filename ?? query[Substring("filename")].map(String.init) ?? "image.png"
            let key = ObjectKeys.inputKey(imageID: imageID, filename: filename)
            let uploadedAt = PipelineJSON.timestamp()
            let workLogger = logger
            let stored = Shared<Int?>(nil)
            do {
                // The body streams to S3 as it arrives; the 30 s for S3 and SQS start when it ends.
                try await inFlight.run(after: body.bodyEnded) { verdict in
                    let size = try await storeStreaming(body, key: key, imageID: imageID, logger: workLogger)
                    stored.set(size)
                    let message = ImageUploadedMessage(
                        imageID: imageID, objectKey: key, bucket: store.name, filename: ObjectKeys.sanitize(filename: filename),
                        size: size, width: header.width, height: header.height, uploadedAt: uploadedAt, options: options.value
                    )
                    try await enqueue(message, logger: workLogger)
                    guard verdict.accept() else {
                        // Queued just after the client heard 503: without its object the message
                        // fails in the processor, so a 503 never ends in a processed image.
                        workLogger.warning("queued after the deadline; deleting its object", metadata: ["key": .string(key)])
                        await deleteUnqueued(key, logger: workLogger)
                        return
                    }
                    await announce(message, logger: workLogger)
                }
            } catch is UploadsInFlight.DeadlinePassed {
                logger.warning("S3 or SQS did not answer in time; the upload goes on in the background", metadata: ["key": .string(key)])
                throw APIError.unavailable("The image store or the processing queue", retryAfter: 10)
            }
            outcome = (202, stored.value, header, nil)
            metrics.bytesReceived.increment(by: Int64(stored.value ?? 0))
            let answer = Accepted(imageID: imageID, objectKey: key)
            return try EditedResponse(status: .accepted, response: answer).response(from: request, context: context)
        } catch let refusal as UploadRefusal {
            outcome.status = Int(refusal.apiError.status.code)
            outcome.error = refusal.apiError.code
            throw refusal.apiError
        } catch let error as APIError {
            outcome.status = Int(error.status.code)
            outcome.error = error.code
            throw error
        }
    }

    /// Reads the first bytes of the file and refuses anything that is not a valid PNG within the
    /// limits, before a byte is stored.
    func checkHeader(of body: UploadBodyStream) async throws(UploadRefusal) -> PNGHeader {
        let prefix = try await body.prefix(PNGHeader.minimumLength)
        guard prefix.readableBytes > 0 else { throw .emptyFile }
        let header: PNGHeader
        do {
            header = try PNGHeader.parse(prefix.readableBytesView)
        } catch {
            switch error {
            case .notPNG: throw .notPNG
            case .invalidHeader(let reason): throw .invalidPNG(reason)
            }
        }
        // The same table the engine refuses by, so a 202 is never given to an image that can only fail.
        switch limits.refusal(width: header.width, height: header.height) {
        case .sideTooLong(let width, let height, let limit)?:
            throw .invalidPNG("the image is \(width)×\(height): width or height is over \(limit.formatted())")
        case .tooManyPixels(let width, let height, let limit)?:
            throw .tooManyPixels(width: width, height: height, limit: limit)
        case nil:
            return header
        }
    }

    /// `threshold` (0–255) and `method` (`fixed` or `otsu`), from the form or the query. Each may
    /// come in either place; given in both, both are checked and must agree (one upload, one set
    /// of options: never a value silently ignored).
    static func options(query: Parameters, fields: [String: String]) throws(UploadRefusal) -> ProcessingOptions? {
        func value(_ name: String) throws(UploadRefusal) -> String? {
            func clean(_ text: String?) -> String? {
                text.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
            }
            let fromForm = clean(fields[name])
            let fromQuery = clean(query[Substring(name)].map(String.init))
            if let fromForm, let fromQuery, fromForm.lowercased() != fromQuery.lowercased() {
                throw .invalidOption("\(name) is \"\(fromForm)\" in the form but \"\(fromQuery)\" in the query; give it once.")
            }
            return fromForm ?? fromQuery
        }
        let methodText = try value("method")
        let thresholdText = try value("threshold")
        guard methodText != nil || thresholdText != nil else { return nil }
        guard let method = ProcessingOptions.Method(rawValue: (methodText ?? "fixed").lowercased()) else {
            throw .invalidOption("method must be fixed or otsu, not \"\(methodText ?? "")\".")
        }
        var threshold: Int?
        if let thresholdText {
            guard let number = Int(thresholdText), (0...255).contains(number) else {
                throw .invalidOption("threshold must be a whole number from 0 to 255, not \"\(thresholdText)\".")
            }
            guard method == .fixed else { throw .invalidOption("threshold cannot be combined with method=otsu.") }
            threshold = number
        }
        return ProcessingOptions(method: method, threshold: threshold)
    }

    /// Streams the file into the store; a refusal met on the way (too large, malformed, a bad
    /// option) comes out as it is, and the store leaves nothing behind for it.
    ///
    /// - Returns: the file's size.
    func storeStreaming(_ body: UploadBodyStream, key: String, imageID: String, logger: Logger) async throws -> Int {
        do {
            let size = try await store.write(key: key, body: body.file, contentType: "image/png", metadata: ["image-id": imageID])
            // Past the deadline the client hears 503: the stored object must go, unqueued.
            try Task.checkCancellation()
            return size
        } catch let refusal as UploadRefusal {
            throw refusal
        } catch {
            logger.error("storing the upload failed", metadata: ["key": .string(key), "error": .string("\(error)")])
            // A put cut short may have stored the object all the same.
            await deleteUnqueued(key, logger: logger)
            throw APIError.unavailable("The image store")
        }
    }

    /// Queues the message of a stored upload; if that fails the object is deleted again, so
    /// nothing is left that no message points to.
    ///
    /// A transient failure is tried again until the send gets an answer or the request's deadline
    /// cancels it: the send may have been delivered with its answer lost, and only an answer tells
    /// (a retry carries the same deduplication id, so it never queues the image twice). Deleting
    /// the object of a message that did get through would fail an upload the client was told is
    /// accepted, or, if the processor got there first, process one it was told to send again.
    func enqueue(_ message: ImageUploadedMessage, logger: Logger) async throws {
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
            logger.error("queueing the upload failed; deleting its object", metadata: ["key": .string(message.objectKey), "error": .string("\(error)")])
            await deleteUnqueued(message.objectKey, logger: logger)
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
    func deleteUnqueued(_ key: String, logger: Logger, giveUpAfter limit: Duration = .seconds(300)) async {
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
                try await withTimeLimit(.seconds(5)) { try await store.delete(key: key) }
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
            width: message.width, height: message.height, size: message.size, uploadedAt: message.uploadedAt
        )
        do {
            try await events.send(body: try PipelineJSON.encode(event), groupID: event.imageID, deduplicationID: event.deduplicationID)
        } catch {
            logger.warning("sending the queued event failed; the image appears when it is processed", metadata: ["error": .string("\(error)")])
        }
    }
}
