import Crypto
import Foundation

/// The `Idempotency-Key` request header: a client's name for one upload, so that a retry after a
/// lost answer gets the same image instead of a second one.
enum IdempotencyKey {
    /// Longest key accepted (docs/design.md#upload-api: up to 255 characters).
    static let maxLength = 255

    /// The namespace of the project's name-based image ids (a fixed, random UUID).
    static let namespace: [UInt8] = [
        0x3d, 0x6f, 0x1b, 0x52, 0x8c, 0x4e, 0x4a, 0x27, 0x9b, 0x61, 0x0e, 0x57, 0xd2, 0x34, 0xa8, 0xc9,
    ]

    /// The image id of an owner's key: a UUID v5 (RFC 9562, SHA-1 of namespace and name),
    /// lower-case. The name is the owner and the key, so one owner's key never names another's image.
    static func imageID(for key: String, owner: String) -> String {
        // A NUL cannot occur in either (keys are printable ASCII), so no two pairs share a name.
        let name = Array(owner.utf8) + [0] + Array(key.utf8)
        var hash = Array(Insecure.SHA1.hash(data: namespace + name).prefix(16))
        hash[6] = (hash[6] & 0x0F) | 0x50  // version 5
        hash[8] = (hash[8] & 0x3F) | 0x80  // RFC 4122 variant
        let uuid = hash.withUnsafeBytes { UUID(uuid: $0.loadUnaligned(as: uuid_t.self)) }
        return uuid.uuidString.lowercased()
    }

    /// The header's key, nil when absent; a refusal when it is empty, too long or not printable ASCII.
    static func parse(_ value: String?) throws(UploadRefusal) -> String? {
        guard let value else { return nil }
        guard !value.isEmpty, value.count <= maxLength, value.unicodeScalars.allSatisfy({ (0x20...0x7E).contains($0.value) }) else {
            throw .invalidIdempotencyKey
        }
        return value
    }
}
