import AWSClient
import Foundation
import NIOCore

/// What is known of a stored object without reading it.
public struct StoredObjectInfo: Sendable, Equatable {
    public var key: String
    public var size: Int
    public var eTag: String?
    public var lastModified: Date?
    public var contentType: String?

    public init(key: String, size: Int, eTag: String? = nil, lastModified: Date? = nil, contentType: String? = nil) {
        self.key = key
        self.size = size
        self.eTag = eTag
        self.lastModified = lastModified
        self.contentType = contentType
    }
}

/// A stored object's bytes and what is known of it.
public struct StoredObject: Sendable {
    public var info: StoredObjectInfo
    public var metadata: [String: String]
    public var body: ByteBuffer

    public init(info: StoredObjectInfo, metadata: [String: String] = [:], body: ByteBuffer) {
        self.info = info
        self.metadata = metadata
        self.body = body
    }
}

/// Errors of an object store that callers act on; anything else is an ``AWSClient/AWSError``.
public enum ObjectStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(key: String)
    case tooLarge(key: String, limit: Int)

    public var description: String {
        switch self {
        case .notFound(let key): "object \(key) does not exist"
        case .tooLarge(let key, let limit): "object \(key) is larger than \(limit) bytes"
        }
    }
}

/// One bucket of objects: the seam between the services and S3 (in-memory fake in tests).
public protocol ObjectStore: Sendable {
    /// The bucket's name, for messages and logs.
    var name: String { get }
    func put(key: String, body: ByteBuffer, contentType: String, metadata: [String: String]) async throws
    /// - Throws: ``ObjectStoreError/notFound(key:)``, ``ObjectStoreError/tooLarge(key:limit:)``.
    func get(key: String, maxBytes: Int) async throws -> StoredObject
    /// The object's body as it arrives (for serving large objects without holding them).
    /// - Throws: ``ObjectStoreError/notFound(key:)``.
    func stream(key: String) async throws -> (info: StoredObjectInfo, body: AWSByteStream)
    /// nil when the object does not exist.
    func head(key: String) async throws -> StoredObjectInfo?
    /// Deleting a missing object succeeds.
    func delete(key: String) async throws
    /// Every object under `prefix`, in key order.
    func list(prefix: String?) async throws -> [StoredObjectInfo]
    /// Succeeds when the bucket can be used now (readiness checks).
    func checkReachable() async throws
}

extension ObjectStore {
    public func put(key: String, body: ByteBuffer, contentType: String) async throws {
        try await put(key: key, body: body, contentType: contentType, metadata: [:])
    }
}
