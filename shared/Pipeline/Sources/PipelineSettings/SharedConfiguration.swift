import AWSClient
import Logging
import PipelineAWS

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

/// The part every service reads the same way: the pipeline's AWS and resource names, its HTTP
/// address and its logging. A service's own settings live in its own configuration type.
public struct SharedConfiguration: Sendable {
    public var pipeline: PipelineConfiguration
    public var httpHost: String
    public var httpPort: Int
    public var logging: LogSettings

    /// - Parameter defaultPort: HTTP_PORT's default for this service (8081 upload-api, 8080
    ///   notifier, 8082 processor).
    public init(environment: EnvironmentVariables, defaultPort: Int) throws(ConfigurationError) {
        pipeline = try PipelineConfiguration(environment: environment)
        httpHost = environment.string("HTTP_HOST", default: "127.0.0.1")
        httpPort = try environment.int("HTTP_PORT", default: defaultPort, range: 0...65_535)
        logging = try LogSettings(environment: environment)
    }
}

/// A service's whole configuration: the shared part and its own, read once at start.
public protocol ServiceConfiguration: Sendable {
    /// The service's name, for its log label and start-up errors.
    static var serviceName: String { get }
    var shared: SharedConfiguration { get }
    /// Reads every variable the service needs; a bad value throws naming the variable.
    init(environment: EnvironmentVariables) throws(ConfigurationError)
}
