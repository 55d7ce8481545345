import AWSClient
import Foundation
import Logging

/// The three services (and the setup tool) that read the shared configuration.
public enum PipelineComponent: String, Sendable {
    case uploadAPI = "upload-api"
    case processor
    case notifier
    case setup = "pipeline-setup"

    /// HTTP_PORT's default: 8081 upload-api, 8080 notifier, 8082 processor.
    public var defaultPort: Int {
        switch self {
        case .uploadAPI: 8081
        case .notifier: 8080
        case .processor: 8082
        case .setup: 0
        }
    }
}

/// How log lines are written.
public enum LogFormat: String, Sendable {
    case text
    case json
}

/// The configuration every service reads the same way from the environment (DESIGN.md's table),
/// once at start; a bad value stops the service with one line naming the variable.
public struct PipelineConfiguration: Sendable {
    public var aws: AWSConfiguration
    public var inputBucket: String
    public var processedBucket: String
    public var inputQueue: String
    public var processedQueue: String
    public var httpHost: String
    public var httpPort: Int
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    /// Larger uploads get 413.
    public var maxUploadBytes: Int
    /// width*height above this is refused before any pixel is decoded.
    public var maxPixels: Int
    /// Where the page's browser sends uploads (notifier).
    public var publicUploadURL: String
    /// Origins allowed to post from a page (upload-api).
    public var corsAllowedOrigins: [String]

    public static let defaultMaxUploadBytes = 52_428_800
    public static let defaultMaxPixels = 100_000_000

    public init(environment: EnvironmentVariables = EnvironmentVariables(), component: PipelineComponent) throws(ConfigurationError) {
        aws = try AWSConfiguration(environment: environment)
        inputBucket = try Self.bucketName(environment, "INPUT_BUCKET", default: "image-input")
        processedBucket = try Self.bucketName(environment, "PROCESSED_BUCKET", default: "image-processed")
        inputQueue = try Self.queueName(environment, "INPUT_QUEUE", default: "new-image-input.fifo")
        processedQueue = try Self.queueName(environment, "PROCESSED_QUEUE", default: "new-image-processed.fifo")
        httpHost = environment.string("HTTP_HOST", default: "127.0.0.1")
        httpPort = try environment.int("HTTP_PORT", default: component.defaultPort, range: 0...65_535)
        let level = try environment.choice(
            "LOG_LEVEL", default: "info", among: ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        )
        logLevel = Logger.Level(rawValue: level) ?? .info
        logFormat = LogFormat(rawValue: try environment.choice("LOG_FORMAT", default: "text", among: ["text", "json"])) ?? .text
        maxUploadBytes = try environment.int("MAX_UPLOAD_BYTES", default: Self.defaultMaxUploadBytes, range: 1...(1 << 32))
        maxPixels = try environment.int("MAX_PIXELS", default: Self.defaultMaxPixels, range: 1...(1 << 40))
        _ = try environment.url("PUBLIC_UPLOAD_URL")  // validates it when set
        publicUploadURL = environment.string("PUBLIC_UPLOAD_URL", default: "http://localhost:8081/upload")
        corsAllowedOrigins = environment.string("CORS_ALLOWED_ORIGINS", default: "http://localhost:8080,http://127.0.0.1:8080")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// S3 bucket names: 3–63 characters of lower-case letters, digits, dots and hyphens.
    static func bucketName(_ environment: EnvironmentVariables, _ variable: String, default value: String) throws(ConfigurationError) -> String {
        let name = environment.string(variable, default: value)
        let allowed = name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "." || $0 == "-" }
        guard (3...63).contains(name.count), allowed else {
            throw ConfigurationError(variable: variable, reason: "must be an S3 bucket name (3-63 of a-z 0-9 . -), not \"\(name)\"")
        }
        return name
    }

    /// SQS queue names: up to 80 of letters, digits, `-` and `_`, with `.fifo` for FIFO queues.
    static func queueName(_ environment: EnvironmentVariables, _ variable: String, default value: String) throws(ConfigurationError) -> String {
        let name = environment.string(variable, default: value)
        let stem = name.hasSuffix(".fifo") ? String(name.dropLast(5)) : name
        let allowed = !stem.isEmpty && stem.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        guard name.count <= 80, allowed else {
            throw ConfigurationError(variable: variable, reason: "must be an SQS queue name (letters, digits, - and _, ending in .fifo), not \"\(name)\"")
        }
        return name
    }
}
