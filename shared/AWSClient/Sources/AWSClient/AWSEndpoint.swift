import Foundation

/// Where requests go: scheme, host and port of an AWS endpoint or an emulator.
public struct AWSEndpoint: Sendable, Equatable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int?
    /// A path prefix of the endpoint, without a trailing slash (usually empty).
    public var basePath: String

    public struct InvalidURL: Error {}

    public init(scheme: String, host: String, port: Int? = nil, basePath: String = "") {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.basePath = basePath
    }

    /// Parses `http://127.0.0.1:4566` and the like.
    public init(parsing text: String) throws(InvalidURL) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { throw InvalidURL() }
        self.init(scheme: scheme, host: host, port: components.port, basePath: components.percentEncodedPath.hasSuffix("/") ? String(components.percentEncodedPath.dropLast()) : components.percentEncodedPath)
    }

    /// The `Host` header: the host, with the port when it is not the scheme's default.
    public var hostHeader: String {
        guard let port, port != (scheme == "https" ? 443 : 80) else { return host }
        return "\(host):\(port)"
    }

    /// `scheme://host[:port]` followed by `path` (which must start with `/`).
    public func url(path: String, query: String = "") -> String {
        let base = "\(scheme)://\(hostHeader)\(basePath)\(path)"
        return query.isEmpty ? base : base + "?" + query
    }

    public var description: String { url(path: "") }
}
