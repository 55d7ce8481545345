import Foundation
import Hummingbird
import Logging
import NIOCore
import PipelineConcurrency
import PipelineContract
import PipelineIdentity
import PipelineService
import PipelineSettings
import Prometheus

/// `POST /upload`: validates a PNG from its bytes, then has ``UploadStore`` store, queue and
/// announce it within the answer deadline of ``UploadsInFlight``, and answers 202 or the refusal.
///
/// Before a byte is stored: no more than ``UploadAdmission/limit`` uploads at once in this task
/// (503) and ``UploadAdmission/perOwner`` of one owner (429), and the owner's ``DailyAllowance``
/// counted in the ``UsageLedger`` (429).
struct UploadController: Sendable {
    let uploads: UploadStore
    let limits: ImageLimits
    let metrics: UploadMetrics
    let inFlight: UploadsInFlight
    /// Who is uploading (AUTH_MODE): the owner of what is stored.
    var authenticator = Authenticator.none
    /// Uploads this task takes at once, and one owner of them.
    var admission = UploadAdmission(limit: 32, perOwner: 8)
    /// Owners whose allowance of the day is spent, refused here without asking the ledger again.
    var spent = SpentAllowances()
    /// Each owner's uploads of the day, and what they may be.
    var ledger: any UsageLedger
    var allowance: DailyAllowance
    /// The longest an upload waits for its count in the ledger.
    var ledgerDeadline: Duration = .seconds(10)
    /// The time the day of an upload is read from (a fixed one in tests).
    var now: @Sendable () -> Date = { Date() }

    func addRoutes(to router: Router<ServiceRequestContext>) {
        let metrics = self.metrics
        // The request metrics per upload, refusals (401 included) too.
        router.group()
            .add(middleware: UploadMetricsMiddleware(metrics: metrics))
            .add(middleware: IdentityMiddleware(authenticator))
            .post("/upload") { request, context in
                let owner = try context.requireCaller().owner
                do {
                    return try await admission.admit(owner: owner) { try await upload(request, context: context) }
                } catch let refused as UploadAdmission.Refused {
                    context.logFields["error"] = .string(refused.perOwner ? "too_many_uploads_at_once" : "busy")
                    throw refused.perOwner
                        ? APIError.tooManyRequests(
                            code: "too_many_uploads_at_once",
                            message: "You have \(refused.limit) uploads in progress already; send the next when one has finished.", retryAfter: 2
                        )
                        : APIError(
                            .serviceUnavailable, code: "busy",
                            message: "This server is taking as many uploads as it can; try again in a few seconds.", retryAfter: 2
                        )
                }
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
        var logger = context.logger
        let logFields = context.logFields
        do {
            let owner = try context.requireCaller().owner
            let idempotencyKey = try IdempotencyKey.parse(request.headers[.idempotencyKey])
            let query = request.uri.queryParameters
            // Options in the query are refused before a byte is stored; the form's are known at the end.
            _ = try UploadOptions.parse(query: query, fields: [:])
            let options = Shared<ProcessingOptions?>(nil)
            let body = try UploadBodyStream(request, maxBytes: limits.maxUploadBytes) { fields throws(UploadRefusal) in
                options.set(try UploadOptions.parse(query: query, fields: fields))
            }
            let header = try await checkHeader(of: body)
            logFields["dimensions"] = .string("\(header.width)x\(header.height)")
            let day = try await countUpload(owner: owner, pixels: header.width * header.height)
            // A retry with the same key gets the same id, so the same object and (within SQS's
            // deduplication window) the same message: one image, however often it is sent.
            let imageID = idempotencyKey.map { IdempotencyKey.imageID(for: $0, owner: owner) } ?? ObjectKeys.newImageID()
            // Only a retry's bytes are compared, so only then are they hashed.
            let digest = idempotencyKey.map { _ in BodyDigest() }
            logger[metadataKey: "image_id"] = .string(imageID)
            logFields["image_id"] = .string(imageID)
            let filename = body.filename ?? query[Substring("filename")].map(String.init) ?? "image.png"
            // The key holds the name reduced to [A-Za-z0-9._-]; the name as uploaded travels beside it.
            let key = ObjectKeys.inputKey(imageID: imageID, filename: filename)
            let displayName = ObjectKeys.displayName(filename)
            let uploadedAt = PipelineJSON.timestamp()
            let workLogger = logger
            let stored = Shared<Int?>(nil)
            do {
                // The body streams to S3 as it arrives; the 30 s for S3 and SQS start when it ends.
                try await inFlight.run(after: body.bodyEnded) { verdict in
                    // The same key with another file name is another upload, not a retry.
                    if digest != nil, try await uploads.otherObject(of: imageID, than: key) != nil {
                        throw UploadRefusal.idempotencyKeyReused
                    }
                    let outcome = try await uploads.store(
                        body, key: key, imageID: imageID, owner: owner, displayName: displayName, digest: digest, logger: workLogger
                    )
                    let size: Int
                    switch outcome {
                    case .new(let written):
                        size = written
                    case .existing:
                        // The same key again: the same bytes are a retry (queued again, which
                        // SQS deduplicates), other bytes another upload, refused.
                        guard let digest, try await uploads.holds(key, sameAs: digest) else { throw UploadRefusal.idempotencyKeyReused }
                        size = digest.byteCount
                        workLogger.info("a retry of a stored upload", metadata: ["key": .string(key)])
                    }
                    stored.set(size)
                    let message = ImageUploadedMessage(
                        imageID: imageID, objectKey: key, bucket: uploads.bucket, filename: displayName,
                        size: size, width: header.width, height: header.height, uploadedAt: uploadedAt, options: options.value, owner: owner
                    )
                    try await uploads.enqueue(message, undoing: outcome != .existing, logger: workLogger)
                    guard verdict.accept() else {
                        guard outcome != .existing else { return }  // an earlier request's object
                        // Queued just after the client heard 503: without its object the message
                        // fails in the processor, so a 503 never ends in a processed image.
                        workLogger.warning("queued after the deadline; deleting its object", metadata: ["key": .string(key)])
                        await uploads.undo(key, logger: workLogger)
                        return
                    }
                    // The event and the bytes' count at once: neither waits for the other.
                    async let counted: Void = outcome != .existing ? countBytes(size, owner: owner, on: day, logger: workLogger) : ()
                    await uploads.announce(message, logger: workLogger)
                    await counted
                }
            } catch is UploadsInFlight.DeadlinePassed {
                logger.warning("S3 or SQS did not answer in time; the upload goes on in the background", metadata: ["key": .string(key)])
                throw APIError.unavailable("The image store or the processing queue", retryAfter: 10)
            }
            if let size = stored.value { logFields["size"] = .stringConvertible(size) }
            metrics.bytesReceived.increment(by: Int64(stored.value ?? 0))
            let answer = Accepted(imageID: imageID, objectKey: key)
            return try EditedResponse(status: .accepted, response: answer).response(from: request, context: context)
        } catch let refusal as UploadRefusal {
            logFields["error"] = .string(refusal.apiError.code)
            throw refusal.apiError
        } catch let error as APIError {
            logFields["error"] = .string(error.code)
            throw error
        }
    }

    /// Counts the upload in its owner's allowance of the day, or refuses it (429 until midnight
    /// UTC) when it would not fit. A ledger that cannot be reached refuses too (503): an allowance
    /// that cannot be checked is not given.
    func countUpload(owner: String, pixels: Int) async throws -> UsageDay {
        let now = self.now()
        let day = UsageDay(now)
        let retryAfter = Int(day.end.timeIntervalSince(now).rounded(.up))
        // Counts only grow within a day: an owner refused for uploads or bytes stays refused, so a
        // flood past the allowance costs the table nothing.
        if let usage = spent.refusal(owner: owner, on: day) {
            throw UploadRefusal.dailyAllowanceSpent(
                spentOn: usage.exhausted(by: pixels, of: allowance), usage: usage, allowance: allowance, retryAfter: retryAfter
            )
        }
        // Never held for an outage of the table: past the deadline the answer is 503 (a count that
        // still lands later costs the owner one upload of the day, nothing more).
        let ledger = self.ledger
        let allowance = self.allowance
        let outcome = Shared<Result<DailyUsage?, any Error>?>(nil)
        let answered = await waitAtMost(ledgerDeadline) {
            outcome.set(await Result { try await ledger.countUpload(owner: owner, on: day, pixels: pixels, within: allowance) })
        }
        guard answered, case .success(let refusedBy)? = outcome.value else {
            throw APIError.unavailable("The usage count", retryAfter: 10)
        }
        guard let usage = refusedBy else { return day }
        let spentOn = usage.exhausted(by: pixels, of: allowance)
        if spentOn != "pixels" { spent.record(usage, owner: owner, on: day) }
        throw UploadRefusal.dailyAllowanceSpent(
            spentOn: spentOn, usage: usage, allowance: allowance, retryAfter: retryAfter
        )
    }

    /// Adds a stored upload's bytes to its owner's count; a failure is logged (the upload stands).
    func countBytes(_ bytes: Int, owner: String, on day: UsageDay, logger: Logger) async {
        do {
            try await ledger.countBytes(bytes, owner: owner, on: day)
        } catch {
            logger.warning("the upload's bytes were not counted", metadata: ["error": "\(error)"])
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
}
