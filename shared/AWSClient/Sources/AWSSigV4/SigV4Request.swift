/// The parts of an HTTP request that Signature Version 4 covers.
///
/// `path` and `query` are as they go on the wire (percent-encoded where needed);
/// headers keep their order, and a name may repeat.
public struct SigV4Request: Sendable, Equatable {
    public var method: String
    /// The path as sent, e.g. `/bucket/my%20key`.
    public var path: String
    /// The raw query string without the leading `?`; empty when there is none.
    public var query: String
    public var headers: [(name: String, value: String)]

    public init(method: String, path: String, query: String = "", headers: [(name: String, value: String)]) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
    }

    /// The first value of a header, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    public static func == (lhs: SigV4Request, rhs: SigV4Request) -> Bool {
        lhs.method == rhs.method && lhs.path == rhs.path && lhs.query == rhs.query
            && lhs.headers.map { "\($0.name):\($0.value)" } == rhs.headers.map { "\($0.name):\($0.value)" }
    }
}
