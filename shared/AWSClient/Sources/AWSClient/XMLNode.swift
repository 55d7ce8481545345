/// A parsed XML element: enough of XML for AWS's REST-XML responses (elements, attributes,
/// text, entities, CDATA, comments and the declaration; no DTDs).
public struct XMLNode: Sendable, Equatable {
    /// The local name, without any namespace prefix.
    public var name: String
    public var attributes: [String: String]
    public var children: [XMLNode]
    /// The element's own text (children's text excluded), entities decoded.
    public var text: String

    public init(name: String, attributes: [String: String] = [:], children: [XMLNode] = [], text: String = "") {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    /// The first child with this name.
    public func child(_ name: String) -> XMLNode? {
        children.first { $0.name == name }
    }

    /// Every child with this name, in document order.
    public func children(_ name: String) -> [XMLNode] {
        children.filter { $0.name == name }
    }

    /// The text of the first child with this name.
    public func childText(_ name: String) -> String? {
        child(name)?.text
    }

    /// Parses a whole document and returns its root element.
    public static func parse(_ bytes: some Collection<UInt8>) throws(XMLParseError) -> XMLNode {
        var parser = XMLTokenizer(Array(bytes))
        return try parser.document()
    }
}

/// Why a document could not be parsed.
public struct XMLParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public var offset: Int
    public var description: String { "XML parse error at byte \(offset): \(reason)" }
}

/// A small recursive-descent XML reader.
struct XMLTokenizer {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() throws(XMLParseError) -> XMLNode {
        skipMisc()
        guard peek() == UInt8(ascii: "<") else { throw fail("no root element") }
        let root = try element()
        skipMisc()
        guard index == bytes.count else { throw fail("content after the root element") }
        return root
    }

    /// Skips white space, the declaration, processing instructions, comments and a DOCTYPE.
    mutating func skipMisc() {
        while index < bytes.count {
            if isSpace(bytes[index]) { index += 1 }
            else if starts(with: "<?") { skip(past: "?>") }
            else if starts(with: "<!--") { skip(past: "-->") }
            else if starts(with: "<!DOCTYPE") { skip(past: ">") }
            else { return }
        }
    }

    mutating func element() throws(XMLParseError) -> XMLNode {
        index += 1  // "<"
        let qualified = readName()
        guard !qualified.isEmpty else { throw fail("missing element name") }
        var node = XMLNode(name: localName(qualified))
        // Attributes.
        while true {
            skipSpaces()
            guard let byte = peek() else { throw fail("unterminated start tag <\(qualified)>") }
            if byte == UInt8(ascii: "/") {
                guard starts(with: "/>") else { throw fail("expected />") }
                index += 2
                return node
            }
            if byte == UInt8(ascii: ">") { index += 1; break }
            let attribute = readName()
            guard !attribute.isEmpty else { throw fail("bad attribute in <\(qualified)>") }
            skipSpaces()
            guard peek() == UInt8(ascii: "=") else { throw fail("expected = after \(attribute)") }
            index += 1
            skipSpaces()
            guard let quote = peek(), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
                throw fail("attribute \(attribute) is not quoted")
            }
            index += 1
            let start = index
            while index < bytes.count, bytes[index] != quote { index += 1 }
            guard index < bytes.count else { throw fail("unterminated attribute value") }
            node.attributes[localName(attribute)] = decodeEntities(bytes[start..<index])
            index += 1
        }
        // Content.
        var text: [UInt8] = []
        while true {
            guard index < bytes.count else { throw fail("unterminated element <\(qualified)>") }
            if bytes[index] != UInt8(ascii: "<") {
                let start = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "<") { index += 1 }
                text.append(contentsOf: Array(decodeEntities(bytes[start..<index]).utf8))
            } else if starts(with: "</") {
                index += 2
                let closing = readName()
                guard closing == qualified else { throw fail("</\(closing)> closes <\(qualified)>") }
                skipSpaces()
                guard peek() == UInt8(ascii: ">") else { throw fail("expected > after </\(closing)") }
                index += 1
                node.text = String(decoding: text, as: UTF8.self)
                return node
            } else if starts(with: "<![CDATA[") {
                index += 9
                let start = index
                skip(past: "]]>")
                text.append(contentsOf: bytes[start..<max(start, index - 3)])
            } else if starts(with: "<!--") {
                skip(past: "-->")
            } else if starts(with: "<?") {
                skip(past: "?>")
            } else {
                node.children.append(try element())
            }
        }
    }

    func localName(_ name: String) -> String {
        name.lastIndex(of: ":").map { String(name[name.index(after: $0)...]) } ?? name
    }

    mutating func readName() -> String {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if isSpace(byte) || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=") { break }
            index += 1
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    func decodeEntities(_ slice: ArraySlice<UInt8>) -> String {
        guard slice.contains(UInt8(ascii: "&")) else { return String(decoding: slice, as: UTF8.self) }
        var out = ""
        var rest = Substring(String(decoding: slice, as: UTF8.self))
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semicolon = rest[amp...].firstIndex(of: ";") else { break }
            let entity = rest[rest.index(after: amp)..<semicolon]
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                var scalar: Unicode.Scalar?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    scalar = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
                } else if entity.hasPrefix("#") {
                    scalar = UInt32(entity.dropFirst(), radix: 10).flatMap(Unicode.Scalar.init)
                }
                if let scalar { out.unicodeScalars.append(scalar) } else { out += rest[amp...semicolon] }
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        return out + rest
    }

    func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d
    }

    mutating func skipSpaces() {
        while index < bytes.count, isSpace(bytes[index]) { index += 1 }
    }

    func starts(with literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        return literal.withUTF8Buffer { buffer in
            for offset in 0..<count where bytes[index + offset] != buffer[offset] { return false }
            return true
        }
    }

    /// Moves past the next occurrence of `literal`, or to the end.
    mutating func skip(past literal: StaticString) {
        while index < bytes.count {
            if starts(with: literal) { index += literal.utf8CodeUnitCount; return }
            index += 1
        }
    }

    func fail(_ reason: String) -> XMLParseError {
        XMLParseError(reason: reason, offset: index)
    }
}
