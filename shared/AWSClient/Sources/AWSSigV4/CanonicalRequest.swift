/// The canonical form of a request, the text whose hash SigV4 signs.
struct CanonicalRequest {
    var method: String
    var canonicalURI: String
    var canonicalQuery: String
    var canonicalHeaders: String
    var signedHeaders: String
    var payloadHash: String

    init(
        method: String,
        path: String,
        query: String,
        headers: [(name: String, value: String)],
        payloadHash: String,
        uriMode: SigV4Signer.URIMode
    ) {
        self.method = method.uppercased()
        switch uriMode {
        case .s3:
            canonicalURI = path.isEmpty ? "/" : path
        case .standard(let normalize):
            let source = normalize ? Self.normalizedPath(path) : (path.isEmpty ? "/" : path)
            canonicalURI = URIEncoding.encode(source, keepSlash: true)
        }
        canonicalQuery = Self.canonicalQuery(query)
        let grouped = Self.groupedHeaders(headers)
        canonicalHeaders = grouped.map { "\($0.name):\($0.value)\n" }.joined()
        signedHeaders = grouped.map(\.name).joined(separator: ";")
        self.payloadHash = payloadHash
    }

    var text: String {
        [method, canonicalURI, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].joined(separator: "\n")
    }

    /// `host;x-amz-date`-style list of the lower-cased, sorted, distinct header names.
    static func signedHeaderNames(_ headers: [(name: String, value: String)]) -> String {
        groupedHeaders(headers).map(\.name).joined(separator: ";")
    }

    /// Lower-cases names, trims values and folds their inner white space, joins repeated names
    /// with commas in their original order, and sorts by name.
    static func groupedHeaders(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        var order: [String] = []
        var values: [String: [String]] = [:]
        for header in headers {
            let name = header.name.lowercased()
            if values[name] == nil { order.append(name) }
            values[name, default: []].append(foldWhitespace(header.value))
        }
        return order.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).map {
            (name: $0, value: values[$0, default: []].joined(separator: ","))
        }
    }

    static func foldWhitespace(_ value: String) -> String {
        // Nearly every value is printable ASCII without spaces: nothing to fold, and no need to
        // walk it character by character.
        if value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) { return value }
        var out = ""
        var pendingSpace = false
        for character in value {
            if character.isWhitespace {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(character)
            }
        }
        return out
    }

    /// Decodes every key and value, encodes them again strictly, and sorts by key, then value.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        let pairs: [(String, String)] = query.split(separator: "&", omittingEmptySubsequences: true).map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = URIEncoding.encode(URIEncoding.decode(parts[0]))
            let value = parts.count > 1 ? URIEncoding.encode(URIEncoding.decode(parts[1])) : ""
            return (key, value)
        }
        return pairs.sorted { lhs, rhs in
            if lhs.0 != rhs.0 { return lhs.0.utf8.lexicographicallyPrecedes(rhs.0.utf8) }
            return lhs.1.utf8.lexicographicallyPrecedes(rhs.1.utf8)
        }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Removes `.` and `..` segments (RFC 3986 §5.2.4) and empty segments, keeping a trailing slash.
    static func normalizedPath(_ path: String) -> String {
        var output: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": if !output.isEmpty { output.removeLast() }
            default: output.append(segment)
            }
        }
        var result = "/" + output.joined(separator: "/")
        let lastSegment = path.split(separator: "/", omittingEmptySubsequences: false).last
        let endsInDirectory = path.hasSuffix("/") || lastSegment == "." || lastSegment == ".."
        if endsInDirectory, !output.isEmpty { result += "/" }
        return result
    }
}
