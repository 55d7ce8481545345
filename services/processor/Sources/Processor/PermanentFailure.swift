import ImageEngine

/// A failure that trying again cannot mend: the image is marked failed and its message deleted.
struct PermanentFailure: Error, Equatable {
    /// A metrics label, e.g. `not_png`.
    var kind: String
    /// A short human sentence, shown to the user.
    var message: String

    init(kind: String, message: String) {
        self.kind = kind
        self.message = message
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
        self.init(kind: kind, message: Self.sentence(error.description))
    }

    static func missing(_ key: String) -> PermanentFailure {
        PermanentFailure(kind: "missing", message: "The uploaded image \(key) no longer exists.")
    }

    static func tooLarge(_ limit: Int) -> PermanentFailure {
        PermanentFailure(kind: "too_large", message: "The uploaded image is larger than \(limit) bytes.")
    }

    /// The last receive the queue allows failed too: the message goes to the dead-letter queue.
    static func gaveUp(attempts: Int, lastError: any Error) -> PermanentFailure {
        PermanentFailure(
            kind: "dead_letter",
            message: "Processing failed \(attempts) times; the last error was: \(lastError). The request was moved to the dead-letter queue."
        )
    }

    static func malformedMessage(_ reason: String) -> PermanentFailure {
        PermanentFailure(kind: "malformed_message", message: "The processing request is malformed: \(reason).")
    }

    /// Capitalised and ending with a full stop.
    static func sentence(_ text: String) -> String {
        guard let first = text.first else { return "Processing failed." }
        let capitalised = first.uppercased() + text.dropFirst()
        return capitalised.hasSuffix(".") ? capitalised : capitalised + "."
    }
}
