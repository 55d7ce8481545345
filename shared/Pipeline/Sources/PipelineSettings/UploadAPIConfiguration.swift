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

    public init(environment: EnvironmentVariables) throws(ConfigurationError) {
        shared = try SharedConfiguration(environment: environment, defaultPort: 8081)
        limits = try ImageLimits(environment: environment)
        access = try AccessConfiguration(environment: environment, region: shared.pipeline.aws.region)
        corsAllowedOrigins = environment.string("CORS_ALLOWED_ORIGINS", default: "http://localhost:8080,http://127.0.0.1:8080")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
