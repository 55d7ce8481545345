import AWSClient
import PipelineContract
import PipelineService

/// The notifier's configuration: the shared part and its own, read once at start.
struct NotifierConfiguration: ServiceConfiguration {
    static let serviceName = "notifier"
    var shared: SharedConfiguration
    /// PUBLIC_UPLOAD_URL: where the page's browser sends uploads.
    var publicUploadURL: String
    /// MAX_UPLOAD_BYTES, so the page can refuse a file that is too large before sending it.
    var maxUploadBytes: Int

    init(environment: EnvironmentVariables) throws(ConfigurationError) {
        shared = try SharedConfiguration(environment: environment, defaultPort: 8080)
        _ = try environment.url("PUBLIC_UPLOAD_URL")  // validates it when set
        publicUploadURL = environment.string("PUBLIC_UPLOAD_URL", default: "http://localhost:8081/upload")
        maxUploadBytes = try ImageLimits(environment: environment).maxUploadBytes
    }
}
