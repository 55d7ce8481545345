import Foundation
import PipelineContract

/// What `GET /api/pipeline` answers and the event stream sends as `event: pipeline`.
/// Counts are nil while unknown: before the first poll, or when the last poll failed (`error`).
struct PipelineSnapshot: Encodable, Sendable, Equatable {
    struct InputQueue: Encodable, Sendable, Equatable {
        var name: String
        var visible: Int?
        var inFlight: Int?
        var error: String?
        enum CodingKeys: String, CodingKey { case name, visible, inFlight = "in_flight", error }
    }

    struct DeadLetterQueue: Encodable, Sendable, Equatable {
        var name: String
        /// Every message in it, visible or not.
        var messages: Int?
        var error: String?
    }

    var updatedAt: Date?
    var pollSeconds: Int
    var windowMinutes: Int
    var input: InputQueue
    var deadLetter: [DeadLetterQueue]
    /// Oldest minute first; the last is the current (partial) minute.
    var processedPerMinute: [Int]
    var failedPerMinute: [Int]
    /// Over the last 60 seconds, rolling.
    var processedLastMinute: Int
    var processedInWindow: Int
    var failedInWindow: Int
    /// False while the image table does not take events: the list may be behind, and the page says so.
    var imageListAvailable = true

    enum CodingKeys: String, CodingKey {
        case updatedAt = "updated_at", pollSeconds = "poll_seconds", windowMinutes = "window_minutes", input
        case deadLetter = "dead_letter", processedPerMinute = "processed_per_minute", failedPerMinute = "failed_per_minute"
        case processedLastMinute = "processed_last_minute", processedInWindow = "processed_in_window", failedInWindow = "failed_in_window"
        case imageListAvailable = "image_list_available"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(updatedAt.map(PipelineJSON.timestamp), forKey: .updatedAt)
        try container.encode(pollSeconds, forKey: .pollSeconds)
        try container.encode(windowMinutes, forKey: .windowMinutes)
        try container.encode(input, forKey: .input)
        try container.encode(deadLetter, forKey: .deadLetter)
        try container.encode(processedPerMinute, forKey: .processedPerMinute)
        try container.encode(failedPerMinute, forKey: .failedPerMinute)
        try container.encode(processedLastMinute, forKey: .processedLastMinute)
        try container.encode(processedInWindow, forKey: .processedInWindow)
        try container.encode(failedInWindow, forKey: .failedInWindow)
        try container.encode(imageListAvailable, forKey: .imageListAvailable)
    }

    /// What a caller who is not an administrator sees: no dead letters (they are every owner's).
    var withoutDeadLetters: PipelineSnapshot {
        var copy = self
        copy.deadLetter = []
        return copy
    }

    /// Equal but for when the queues were polled.
    func sameNumbers(as other: PipelineSnapshot) -> Bool {
        var copy = other
        copy.updatedAt = updatedAt
        return self == copy
    }
}

extension PipelineSnapshot.InputQueue {
    // Explicit nulls, so the page can tell "unknown" from a missing field.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(visible, forKey: .visible)
        try container.encode(inFlight, forKey: .inFlight)
        try container.encode(error, forKey: .error)
    }
}

extension PipelineSnapshot.DeadLetterQueue {
    enum CodingKeys: String, CodingKey { case name, messages, error }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(messages, forKey: .messages)
        try container.encode(error, forKey: .error)
    }
}
