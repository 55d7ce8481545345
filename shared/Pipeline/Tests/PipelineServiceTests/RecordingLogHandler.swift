import Logging
import Synchronization

/// A log handler that keeps every line, for tests that assert what was logged.
struct RecordingLogHandler: LogHandler {
    struct Line: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    final class Lines: Sendable {
        let all = Mutex<[Line]>([])
    }

    let lines: Lines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        lines.all.withLock { $0.append(Line(level: event.level, message: event.message.description, metadata: merged)) }
    }

    /// A logger whose lines end up in `lines`.
    static func logger(into lines: Lines) -> Logger {
        Logger(label: "test") { _ in RecordingLogHandler(lines: lines) }
    }
}
