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
        self.method = method.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) ? method : method.uppercased()
        switch uriMode {
        case .s3:
            canonicalURI = path.isEmpty ? "/" : path
        case .standard(let normalize):
            let source = normalize ? Self.normalizedPath(path) : (path.isEmpty ? "/" : path)
            canonicalURI = URIEncoding.encode(source, keepSlash: true)
        }
        canonicalQuery = Self.canonicalQuery(query)
        let grouped = Self.groupedHeaders(headers)
        var canonicalHeaders = ""
        var signedHeaders = ""
        canonicalHeaders.reserveCapacity(grouped.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 2 })
        for (index, header) in grouped.enumerated() {
            canonicalHeaders += header.name
            canonicalHeaders += ":"
            canonicalHeaders += header.value
            canonicalHeaders += "\n"
            if index > 0 { signedHeaders += ";" }
            signedHeaders += header.name
        }
        self.canonicalHeaders = canonicalHeaders
        self.signedHeaders = signedHeaders
        self.payloadHash = payloadHash
    }

    var text: String {
        Self.lines([method, canonicalURI, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash])
    }

    /// `parts.joined(separator: "\n")`, built in one allocation (it runs for every request signed).
    static func lines(_ parts: [String]) -> String {
        var text = ""
        text.reserveCapacity(parts.reduce(parts.count) { $0 + $1.utf8.count })
        for (index, part) in parts.enumerated() {
            if index > 0 { text += "\n" }
            text += part
        }
        return text
    }

    /// `host;x-amz-date`-style list of the lower-cased, sorted, distinct header names.
    static func signedHeaderNames(_ headers: [(name: String, value: String)]) -> String {
        groupedHeaders(headers).map(\.name).joined(separator: ";")
    }

    /// Lower-cases names, trims values and folds their inner white space, joins repeated names
    /// with commas in their original order, and sorts by name.
    static func groupedHeaders(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        // Sorted by name, then by position: repeated names stay in their original order.
        let entries = headers.enumerated().map { (position: $0.offset, name: asciiLowercased($0.element.name), value: $0.element.value) }
            .sorted { lhs, rhs in
                if lhs.name != rhs.name { return lhs.name.utf8.lexicographicallyPrecedes(rhs.name.utf8) }
                return lhs.position < rhs.position
            }
        var grouped: [(name: String, value: String)] = []
        grouped.reserveCapacity(entries.count)
        for entry in entries {
            let value = foldWhitespace(entry.value)
            if let last = grouped.indices.last, grouped[last].name == entry.name {
                grouped[last].value += "," + value
            } else {
                grouped.append((name: entry.name, value: value))
            }
        }
        return grouped
    }

    /// `name.lowercased()`, without Unicode case mapping for the ASCII names every request has.
    static func asciiLowercased(_ name: String) -> String {
        let utf8 = name.utf8
        guard utf8.allSatisfy({ $0 < 0x80 }) else { return name.lowercased() }
        guard utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else { return name }
        return String(decoding: utf8.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 }, as: UTF8.self)
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
