import PipelineContract

/// The notifier's configuration: the shared part and its own, read once at start.
public struct NotifierConfiguration: ServiceConfiguration {
    public static let serviceName = "notifier"
    public var shared: SharedConfiguration
    /// PUBLIC_UPLOAD_URL: where the page's browser sends uploads.
    public var publicUploadURL: String
    /// MAX_UPLOAD_BYTES, so the page can refuse a file that is too large before sending it.
    public var maxUploadBytes: Int
    /// QUEUE_POLL_SECONDS: how often the pipeline panel's queue depths are read.
    public var queuePollSeconds: Int

    public init(environment: EnvironmentVariables) throws(ConfigurationError) {
        shared = try SharedConfiguration(environment: environment, defaultPort: 8080)
        _ = try environment.url("PUBLIC_UPLOAD_URL")  // validates it when set; used as written
        publicUploadURL = environment.string("PUBLIC_UPLOAD_URL", default: "http://localhost:8081/upload")
        maxUploadBytes = try ImageLimits(environment: environment).maxUploadBytes
        queuePollSeconds = try environment.int("QUEUE_POLL_SECONDS", default: 5, range: 1...300)
    }
}
