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
