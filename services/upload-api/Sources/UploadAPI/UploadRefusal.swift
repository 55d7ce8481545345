import Foundation
import Hummingbird
import PipelineContract
import PipelineService

/// Every reason an upload is refused; each maps to a status and a JSON `{"error", "message"}`.
/// Nothing is stored or queued for a refused upload.
enum UploadRefusal: Error, Equatable {
    /// No part named `image`; `misplacedIn` names the field a file came in instead, if one did.
    case noFile(misplacedIn: String? = nil)
    case emptyFile
    case malformed(String)
    case tooLarge(limit: Int)
    case notPNG
    case invalidPNG(String)
    case tooManyPixels(width: Int, height: Int, limit: Int)
    case invalidOption(String)
    case invalidIdempotencyKey
    /// The key names an upload with other bytes (or another file name) than this one.
    case idempotencyKeyReused
    /// The body stopped arriving (BODY_IDLE_SECONDS without a byte).
    case bodyIdle(seconds: Int)
    /// The owner's allowance of the day is spent (`spentOn`: uploads, bytes or pixels).
    case dailyAllowanceSpent(spentOn: String, usage: DailyUsage, allowance: DailyAllowance, retryAfter: Int)

    var apiError: APIError {
        switch self {
        case .noFile(let field?):
            APIError(
                .badRequest, code: "no_file",
                message: "No file was sent in the multipart field \"image\": the file came in the field \"\(field)\". Send it as -F image=@photo.png, or as a raw image/png body."
            )
        case .noFile(nil):
            APIError(.badRequest, code: "no_file", message: "No file was sent: post it as the multipart field \"image\" or as a raw image/png body.")
        case .emptyFile:
            APIError(.badRequest, code: "empty_file", message: "The file is empty.")
        case .malformed(let reason):
            APIError(.badRequest, code: "malformed_request", message: "The request is malformed: \(reason).")
        case .tooLarge(let limit):
            APIError(.contentTooLarge, code: "too_large", message: "The upload is larger than the limit of \(Self.megabytes(limit)).")
        case .notPNG:
            APIError(.unsupportedMediaType, code: "not_png", message: "The file is not a PNG image.")
        case .invalidPNG(let reason):
            APIError(.unprocessableContent, code: "invalid_png", message: "The PNG is invalid: \(reason).")
        case .tooManyPixels(let width, let height, let limit):
            APIError(
                .unprocessableContent, code: "too_many_pixels",
                message: "The image is \(width)×\(height) = \(Self.megapixels(width * height)) megapixels, over the limit of \(Self.megapixels(limit)) megapixels."
            )
        case .invalidOption(let reason):
            APIError(.badRequest, code: "invalid_option", message: reason)
        case .invalidIdempotencyKey:
            APIError(
                .badRequest, code: "invalid_idempotency_key",
                message: "The Idempotency-Key header must be 1 to \(IdempotencyKey.maxLength) printable ASCII characters."
            )
        case .bodyIdle(let seconds):
            APIError(
                .requestTimeout, code: "body_timeout",
                message: "No byte of the upload arrived for \(seconds) seconds; nothing was stored. Send it again."
            )
        case .dailyAllowanceSpent(let spentOn, let usage, let allowance, let retryAfter):
            APIError.tooManyRequests(
                code: "daily_limit_reached",
                message: "Today's allowance is spent (\(spentOn)): \(usage.uploads) of \(allowance.uploads) uploads, "
                    + "\(Self.megabytes(usage.bytes)) of \(Self.megabytes(allowance.bytes)), "
                    + "\(Self.megapixels(usage.pixels)) of \(Self.megapixels(allowance.pixels)) megapixels. It renews at midnight UTC.",
                retryAfter: retryAfter
            )
        case .idempotencyKeyReused:
            APIError(
                .unprocessableContent, code: "idempotency_key_reused",
                message: "This Idempotency-Key was used for another upload (other bytes or another file name); use a new key for a new upload."
            )
        }
    }

    static func megabytes(_ bytes: Int) -> String {
        bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
    }

    static func megapixels(_ pixels: Int) -> String {
        let value = Double(pixels) / 1_000_000
        return value.rounded() == value ? String(Int(value)) : String(format: "%.1f", value)
    }
}
