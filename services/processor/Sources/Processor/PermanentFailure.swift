import ImageEngine
import PipelineContract

/// A failure that trying again cannot mend: the image is marked failed and its message deleted.
///
/// What users see (the `failed` event's `error`, the marker, the page) is a fixed sentence per
/// kind of failure, never a library's or AWS's own words, which can name accounts, roles, buckets
/// or internals; those go to the log line only (``detail``, with the image id).
struct PermanentFailure: Error, Equatable {
    /// A metrics label, e.g. `not_png`.
    var kind: String
    /// What happened, in the words of whatever failed: for the log only.
    var detail: String
    /// The short human sentence shown: the kind's own (``sentences``), or one built only from
    /// fixed words and the configured number of attempts (``gaveUp(attempts:lastError:)``).
    var message: String

    init(kind: String, detail: String, message: String? = nil) {
        self.kind = kind
        self.detail = detail
        self.message = message ?? Self.sentences[kind] ?? "Processing failed."
    }

    init(_ error: ImageEngineError) {
        let kind = switch error {
        case .notPNG: "not_png"
        case .truncated: "truncated"
        case .invalidHeader: "invalid_header"
        case .tooManyPixels: "too_many_pixels"
        case .corrupt: "corrupt"
        case .unsupported: "unsupported"
        case .outOfMemory: "out_of_memory"
        case .encodingFailed: "encoding_failed"
        }
        self.init(kind: kind, detail: error.description)
    }

    static let sentences: [String: String] = [
        "not_png": "The file is not a PNG image.",
        "truncated": "The PNG file is cut short.",
        "invalid_header": "The PNG header is invalid.",
        "too_many_pixels": "The image has more pixels than this service processes.",
        "corrupt": "The PNG data is corrupt.",
        "unsupported": "This kind of PNG is not supported.",
        "out_of_memory": "The image is too large to process.",
        "encoding_failed": "The result could not be written.",
        "missing": "The uploaded image no longer exists.",
        "too_large": "The uploaded file is larger than this service processes.",
        "malformed_message": "The processing request was malformed.",
    ]

    static func missing(_ key: String) -> PermanentFailure {
        PermanentFailure(kind: "missing", detail: "the object \(key) no longer exists")
    }

    static func tooLarge(_ limit: Int) -> PermanentFailure {
        PermanentFailure(kind: "too_large", detail: "the object is larger than \(limit) bytes")
    }

    /// The last receive the queue allows failed too: the message goes to the dead-letter queue.
    /// The sentence names the attempts (the queue's setting) and what kept failing, in fixed words.
    static func gaveUp(attempts: Int, lastError: any Error) -> PermanentFailure {
        let cause = switch lastError {
        case is ObjectStoreError: "the image store could not be read or written"
        case is MessageQueueError: "the queue could not be reached"
        default: "the processor could not finish it"
        }
        return PermanentFailure(
            kind: "dead_letter", detail: "failed \(attempts) times; the last error was: \(lastError)",
            message: "Processing failed \(attempts) times (\(cause)); the image was set aside for an administrator to send again."
        )
    }

    static func malformedMessage(_ reason: String) -> PermanentFailure {
        PermanentFailure(kind: "malformed_message", detail: reason)
    }
}
