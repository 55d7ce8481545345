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
    /// OPS_PORT, the HTTP server's timeouts, TRUSTED_PROXY_HOPS.
    public var web: WebServerSettings
    /// EVENT_STREAMS_PER_OWNER and EVENT_STREAMS_PER_TASK: open event streams allowed (429 past them).
    public var eventStreams: StreamLimits
    /// ZIP_MAX_IMAGES and ZIP_MAX_BYTES: what one `results.zip` holds at most (the newest first).
    public var zipLimits: ZipLimits

    /// How many event streams may be open at once.
    public struct StreamLimits: Sendable, Equatable {
        public var perOwner: Int
        public var perTask: Int

        public init(perOwner: Int = 10, perTask: Int = 1_000) {
            self.perOwner = perOwner
            self.perTask = perTask
        }
    }

    /// What one archive of results holds at most.
    public struct ZipLimits: Sendable, Equatable {
        public var images: Int
        public var bytes: Int

        public init(images: Int = 500, bytes: Int = 1 << 30) {
            self.images = images
            self.bytes = bytes
        }
    }

    public init(environment: EnvironmentVariables) throws(ConfigurationError) {
        shared = try SharedConfiguration(environment: environment, defaultPort: 8080)
        web = try WebServerSettings(environment: environment, httpPort: shared.httpPort)
        eventStreams = StreamLimits(
            perOwner: try environment.int("EVENT_STREAMS_PER_OWNER", default: 10, range: 1...100_000),
            perTask: try environment.int("EVENT_STREAMS_PER_TASK", default: 1_000, range: 1...1_000_000)
        )
        zipLimits = ZipLimits(
            images: try environment.int("ZIP_MAX_IMAGES", default: 500, range: 1...1_000_000),
            bytes: try environment.int("ZIP_MAX_BYTES", default: 1 << 30, range: 1...(1 << 40))
        )
        _ = try environment.url("PUBLIC_UPLOAD_URL")  // validates it when set; used as written
        publicUploadURL = environment.string("PUBLIC_UPLOAD_URL", default: "http://localhost:8081/upload")
        maxUploadBytes = try ImageLimits(environment: environment).maxUploadBytes
        access = try AccessConfiguration(environment: environment, region: shared.pipeline.aws.region)
        _ = try environment.url("SIGN_OUT_URL")
        signOutURL = environment["SIGN_OUT_URL"]
        queuePollSeconds = try environment.int("QUEUE_POLL_SECONDS", default: 5, range: 1...300)
    }
}
