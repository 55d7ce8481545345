import AWSClient
import Foundation
import PipelineContract

/// The upload API's configuration: the shared part and its own (limits, CORS), read once at start.
public struct UploadAPIConfiguration: ServiceConfiguration {
    public static let serviceName = "upload-api"
    public var shared: SharedConfiguration
    /// MAX_UPLOAD_BYTES and MAX_PIXELS.
    public var limits: ImageLimits
    /// CORS_ALLOWED_ORIGINS: origins allowed to post from a page.
    public var corsAllowedOrigins: [String]

    /// AUTH_MODE and its companions: who may call, and who sees everything.
    public var access: AccessConfiguration
    /// OPS_PORT, the HTTP server's timeouts, TRUSTED_PROXY_HOPS.
    public var web: WebServerSettings
    /// MAX_UPLOADS_IN_PROGRESS: uploads one task takes at once (each holds up to one 5 MiB part);
    /// past it, 503 with Retry-After, so a burst waits instead of exhausting the task's memory.
    public var maxUploadsInProgress: Int
    /// MAX_UPLOADS_IN_PROGRESS_PER_OWNER: one owner's share of those (429 past it), so that one
    /// client sending slowly or many at once never holds every place.
    public var maxUploadsInProgressPerOwner: Int
    /// UPLOADS_PER_OWNER_PER_DAY, UPLOAD_BYTES_PER_OWNER_PER_DAY, PIXELS_PER_OWNER_PER_DAY.
    public var dailyAllowance: DailyAllowance

    public init(environment: EnvironmentVariables) throws(ConfigurationError) {
        shared = try SharedConfiguration(environment: environment, defaultPort: 8081)
        limits = try ImageLimits(environment: environment)
        web = try WebServerSettings(environment: environment, httpPort: shared.httpPort)
        maxUploadsInProgress = try environment.int("MAX_UPLOADS_IN_PROGRESS", default: 32, range: 1...100_000)
        maxUploadsInProgressPerOwner = try environment.int("MAX_UPLOADS_IN_PROGRESS_PER_OWNER", default: 8, range: 1...100_000)
        dailyAllowance = DailyAllowance(
            uploads: try environment.int("UPLOADS_PER_OWNER_PER_DAY", default: 1_000, range: 1...100_000_000),
            bytes: try environment.int("UPLOAD_BYTES_PER_OWNER_PER_DAY", default: 2 << 30, range: 1...(1 << 50)),
            pixels: try environment.int("PIXELS_PER_OWNER_PER_DAY", default: 5_000_000_000, range: 1...(1 << 50))
        )
        access = try AccessConfiguration(environment: environment, region: shared.pipeline.aws.region)
        corsAllowedOrigins = environment.string("CORS_ALLOWED_ORIGINS", default: "http://localhost:8080,http://127.0.0.1:8080")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
