import AWSClient
import PipelineContract

/// The notifier's configuration: the shared part and its own, read once at start.
public struct NotifierConfiguration: ServiceConfiguration {
    public static let serviceName = "notifier"
    public var shared: SharedConfiguration
    /// PUBLIC_UPLOAD_URL: where the page's browser sends uploads.
    public var publicUploadURL: String
    /// MAX_UPLOAD_BYTES, so the page can refuse a file that is too large before sending it.
    public var maxUploadBytes: Int
    /// SIGN_OUT_URL: where the page's sign-out goes after the load balancer's session cookies are
    /// cleared (the identity provider's logout endpoint), in `alb` mode; nil: back to the page.
    public var signOutURL: String?
    /// QUEUE_POLL_SECONDS: how often the pipeline panel's queue depths are read.
    public var queuePollSeconds: Int

    /// AUTH_MODE and its companions: who may call, and who sees everything.
    public var access: AccessConfiguration

    public init(environment: EnvironmentVariables) throws(ConfigurationError) {
        shared = try SharedConfiguration(environment: environment, defaultPort: 8080)
        _ = try environment.url("PUBLIC_UPLOAD_URL")  // validates it when set; used as written
        publicUploadURL = environment.string("PUBLIC_UPLOAD_URL", default: "http://localhost:8081/upload")
        maxUploadBytes = try ImageLimits(environment: environment).maxUploadBytes
        access = try AccessConfiguration(environment: environment, region: shared.pipeline.aws.region)
        _ = try environment.url("SIGN_OUT_URL")
        signOutURL = environment["SIGN_OUT_URL"]
        queuePollSeconds = try environment.int("QUEUE_POLL_SECONDS", default: 5, range: 1...300)
    }
}
