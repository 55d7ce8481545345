import AWSClient

/// The part of the configuration every component reads the same way (the README's table): where
/// AWS is, the names of the pipeline's buckets, queues and image table, and how long images are
/// kept. Each service adds its own part.
public struct PipelineConfiguration: Sendable {
    public var aws: AWSConfiguration
    public var inputBucket: String
    public var processedBucket: String
    public var inputQueue: String
    public var processedQueue: String
    /// IMAGE_TABLE: the DynamoDB table of images.
    public var imageTable: String
    /// RETENTION_DAYS: originals, results and table items expire after this many days; nil keeps them.
    public var retentionDays: Int?

    /// Reads the variables once; a bad value throws naming the variable.
    public init(environment: EnvironmentVariables = EnvironmentVariables()) throws(ConfigurationError) {
        aws = try AWSConfiguration(environment: environment)
        inputBucket = try Self.bucketName(environment, "INPUT_BUCKET", default: "image-input")
        processedBucket = try Self.bucketName(environment, "PROCESSED_BUCKET", default: "image-processed")
        inputQueue = try Self.queueName(environment, "INPUT_QUEUE", default: "new-image-input.fifo")
        processedQueue = try Self.queueName(environment, "PROCESSED_QUEUE", default: "new-image-processed.fifo")
        imageTable = try Self.tableName(environment, "IMAGE_TABLE", default: "images")
        let days = try environment.int("RETENTION_DAYS", default: 0, range: 0...36_500)
        retentionDays = days == 0 ? nil : days
    }

    /// DynamoDB table names: 3–255 of letters, digits, `_`, `-` and `.`.
    static func tableName(_ environment: EnvironmentVariables, _ variable: String, default value: String) throws(ConfigurationError) -> String {
        let name = environment.string(variable, default: value)
        let allowed = name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == ".") }
        guard (3...255).contains(name.count), allowed else {
            throw ConfigurationError(variable: variable, reason: "must be a DynamoDB table name (3-255 of letters, digits, _ - .), not \"\(name)\"")
        }
        return name
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
