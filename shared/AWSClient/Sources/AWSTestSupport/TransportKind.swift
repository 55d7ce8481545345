import AWSClient

/// The kinds of real transport, for tests that must hold for each of them.
public enum TransportKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case asyncHTTPClient
    case nio

    /// A new transport of this kind; shut it down when done.
    public func make(connectTimeout: Duration = .seconds(5), readTimeout: Duration = .seconds(30)) -> any AWSHTTPTransport {
        switch self {
        case .asyncHTTPClient: AsyncHTTPClientTransport(connectionsPerHost: 8, connectTimeout: connectTimeout, readTimeout: readTimeout)
        case .nio: NIOHTTPTransport(connectTimeout: connectTimeout, readTimeout: readTimeout)
        }
    }

    public var description: String { rawValue }
}
