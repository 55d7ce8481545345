import Foundation
import PipelineSettings

extension NotifierConfiguration {
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
