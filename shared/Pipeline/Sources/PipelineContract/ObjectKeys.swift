import Foundation

/// Key naming of the pipeline (wire-compatible with the original Python pipeline).
public enum ObjectKeys {
    /// The longest sanitized filename kept; S3 allows 1024 bytes per key, and names this long help nobody.
    public static let maxFilenameLength = 128

    /// A new image id: a lower-case UUID v4.
    public static func newImageID() -> String {
        UUID().uuidString.lowercased()
    }

    /// Whether `text` is a lower-case UUID as ``newImageID()`` makes.
    public static func isImageID(_ text: some StringProtocol) -> Bool {
        text.count == 36 && text == text.lowercased() && UUID(uuidString: String(text)) != nil
    }

    /// The uploaded name reduced to `[A-Za-z0-9._-]`.
    ///
    /// Directories are dropped first (`../../etc/passwd` → `passwd`), then every other character;
    /// leading dots and dashes go too (no hidden or option-like names). A name whose stem has no
    /// allowed character left keeps its extension (`фото.png` → `image.png`); an empty result is
    /// `image.png`; a long one keeps its end (the extension) within ``maxFilenameLength``.
    public static func sanitize(filename: String) -> String {
        let base = filename.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        if let dot = base.lastIndex(of: "."), dot != base.startIndex {
            let stem = allowedOnly(String(base[..<dot]))
            let ext = allowedOnly(String(base[base.index(after: dot)...]))
            if !stem.contains(where: { $0.isLetter || $0.isNumber }), ext.contains(where: { $0.isLetter || $0.isNumber }) {
                return "image." + ext.prefix(maxFilenameLength - 6)
            }
        }
        var kept = allowedOnly(base)
        while let first = kept.first, first == "." || first == "-" { kept.removeFirst() }
        guard kept.contains(where: { $0 != "." && $0 != "_" && $0 != "-" }) else { return "image.png" }
        if kept.count > maxFilenameLength { kept = String(kept.suffix(maxFilenameLength)) }
        while let first = kept.first, first == "." || first == "-" { kept.removeFirst() }
        return kept.contains(where: { $0 != "." && $0 != "_" && $0 != "-" }) ? kept : "image.png"
    }

    /// The longest display name kept, in characters.
    public static let maxDisplayNameLength = 255

    /// The name as uploaded, as the page and downloads show it: any letters, the directories a
    /// browser or a client may send dropped (`C:\\photos\\фото.png` → `фото.png`), control and
    /// format characters removed, spaces at the ends trimmed, at most ``maxDisplayNameLength``
    /// characters (the end, with the extension, kept); nothing left: the key's reduced name.
    public static func displayName(_ uploaded: String) -> String {
        let base = uploaded.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let visible = String(String.UnicodeScalarView(base.unicodeScalars.filter { scalar in
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned, .privateUse: false
            default: true
            }
        }))
        var name = visible.trimmingCharacters(in: .whitespaces)
        if name.count > maxDisplayNameLength { name = String(name.suffix(maxDisplayNameLength)) }
        return name.isEmpty ? sanitize(filename: uploaded) : name
    }

    /// A display name as S3 metadata carries it (US-ASCII only): percent-encoded UTF-8.
    public static func metadataValue(displayName: String) -> String {
        displayName.addingPercentEncoding(withAllowedCharacters: metadataSafe) ?? sanitize(filename: displayName)
    }

    /// The display name from S3 metadata, or nil when it is not one this project wrote.
    public static func displayName(metadataValue: String) -> String? {
        metadataValue.removingPercentEncoding.map(displayName)
    }

    static let metadataSafe: CharacterSet = {
        var safe = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        safe.insert(charactersIn: "-._~")
        return safe
    }()

    /// The characters of `text` that keys allow: `[A-Za-z0-9._-]`.
    static func allowedOnly(_ text: String) -> String {
        String(text.unicodeScalars.filter { scalar in
            switch scalar {
            case "A"..."Z", "a"..."z", "0"..."9", ".", "_", "-": true
            default: false
            }
        }.map(Character.init))
    }

    /// `{image_id}_{sanitized filename}`.
    public static func inputKey(imageID: String, filename: String) -> String {
        "\(imageID)_\(sanitize(filename: filename))"
    }

    /// `processed_{input key}`.
    public static func processedKey(inputKey: String) -> String {
        "processed_\(inputKey)"
    }

    /// `failed_{input key}.json`.
    public static func failureMarkerKey(inputKey: String) -> String {
        "failed_\(inputKey).json"
    }

    /// The image id an input key starts with, when it does.
    public static func imageID(fromInputKey key: String) -> String? {
        guard let underscore = key.firstIndex(of: "_") else { return nil }
        let id = key[..<underscore]
        return isImageID(id) ? String(id) : nil
    }

    /// The filename part of an input key (after `{image_id}_`).
    public static func filename(fromInputKey key: String) -> String {
        guard imageID(fromInputKey: key) != nil, let underscore = key.firstIndex(of: "_") else { return key }
        return String(key[key.index(after: underscore)...])
    }

    /// The input key of a processed key or a failure marker key, or nil for other keys.
    public static func inputKey(fromProcessedBucketKey key: String) -> String? {
        if key.hasPrefix("processed_") { return String(key.dropFirst("processed_".count)) }
        if key.hasPrefix("failed_"), key.hasSuffix(".json") { return String(key.dropFirst("failed_".count).dropLast(".json".count)) }
        return nil
    }
}
