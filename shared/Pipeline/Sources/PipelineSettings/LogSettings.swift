import Logging

/// How log lines are written: `text` for people, `json` (one object per line) for collectors.
public enum LogFormat: String, Sendable {
    case text
    case json
}

/// LOG_LEVEL and LOG_FORMAT.
public struct LogSettings: Sendable, Equatable {
    public var level: Logger.Level
    public var format: LogFormat

    public init(level: Logger.Level = .info, format: LogFormat = .text) {
        self.level = level
        self.format = format
    }

    public init(environment: EnvironmentVariables) throws(ConfigurationError) {
        let level = try environment.choice(
            "LOG_LEVEL", default: "info", among: ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        )
        let format = try environment.choice("LOG_FORMAT", default: "text", among: ["text", "json"])
        self.init(level: Logger.Level(rawValue: level) ?? .info, format: LogFormat(rawValue: format) ?? .text)
    }
}
