import AWSClient
import Foundation
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
    /// QUEUE_POLL_SECONDS: how often the pipeline panel's queue depths are read.
    var queuePollSeconds: Int

    init(environment: EnvironmentVariables) throws(ConfigurationError) {
        shared = try SharedConfiguration(environment: environment, defaultPort: 8080)
        _ = try environment.url("PUBLIC_UPLOAD_URL")  // validates it when set
        publicUploadURL = environment.string("PUBLIC_UPLOAD_URL", default: "http://localhost:8081/upload")
        maxUploadBytes = try ImageLimits(environment: environment).maxUploadBytes
        queuePollSeconds = try environment.int("QUEUE_POLL_SECONDS", default: 5, range: 1...300)
    }

    /// The page's Content-Security-Policy: scripts, styles and fonts from the notifier only, images
    /// from it and from the page's own local previews, requests to it and to the upload API's
    /// origin only, never inside a frame.
    var contentSecurityPolicy: String {
        [
            "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' blob: data:",
            "connect-src 'self' \(Self.origin(of: publicUploadURL))", "form-action 'none'", "frame-ancestors 'none'",
            "base-uri 'none'", "object-src 'none'",
        ].joined(separator: "; ")
    }

    /// `scheme://host[:port]` of an absolute URL (validated at start).
    static func origin(of url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else { return url }
        return components.port.map { "\(scheme)://\(host):\($0)" } ?? "\(scheme)://\(host)"
    }
}
