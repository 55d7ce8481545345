/// The names results are downloaded under: `photo.png` → `photo-bw.png`.
enum DownloadName {
    /// The result's file name for an upload's file name: its stem (the name without its last
    /// extension), `-bw.png`. Characters a file system or a header would trip on become `_`.
    static func result(of filename: String) -> String {
        var stem = Substring(filename)
        if let dot = stem.lastIndex(of: "."), dot != stem.startIndex { stem = stem[..<dot] }
        let safe = String(stem.unicodeScalars.map { scalar -> Character in
            let unsafe = scalar.value < 0x20 || scalar.value == 0x7F || "/\\\":*?<>|".unicodeScalars.contains(scalar)
            return unsafe ? "_" : Character(scalar)
        })
        return (safe.isEmpty ? "image" : safe) + "-bw.png"
    }

    /// `Content-Disposition: attachment` naming `name`: an ASCII `filename` for old clients and
    /// the exact name as RFC 8187 `filename*`.
    static func attachment(_ name: String) -> String {
        let ascii = String(name.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(percentEncoded(name))"
    }

    /// RFC 8187 attr-char: letters, digits and `!#$&+-.^_`|~` stay; every other byte is %XX.
    static func percentEncoded(_ text: String) -> String {
        let kept = Set("!#$&+-.^_`|~".utf8)
        var out = ""
        for byte in text.utf8 {
            let isAlphanumeric = (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            if isAlphanumeric || kept.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
