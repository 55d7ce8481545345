import Foundation
import NIOCore
import Synchronization

/// What is known of a stored object without reading it.
public struct StoredObjectInfo: Sendable, Equatable {
    public var key: String
    public var size: Int
    public var eTag: String?
    public var lastModified: Date?
    public var contentType: String?
    /// User metadata (`owner`, `image-id`...); known from a head, not from a list.
    public var metadata: [String: String]

    public init(
        key: String, size: Int, eTag: String? = nil, lastModified: Date? = nil, contentType: String? = nil, metadata: [String: String] = [:]
    ) {
        self.key = key
        self.size = size
        self.eTag = eTag
        self.lastModified = lastModified
        self.contentType = contentType
        self.metadata = metadata
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

/// Every way an object store call fails. Callers act on the first two; `backend` is anything
/// else (unreachable, refused, throttled, an odd answer), worth trying again later.
public enum ObjectStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(key: String)
    case tooLarge(key: String, limit: Int)
    /// A write that was only to happen if no object was there found one.
    case alreadyExists(key: String)
    /// The store could not do it; `reason` says why, for logs.
    case backend(reason: String)

    public var description: String {
        switch self {
        case .notFound(let key): "object \(key) does not exist"
        case .tooLarge(let key, let limit): "object \(key) is larger than \(limit) bytes"
        case .alreadyExists(let key): "object \(key) exists already"
        case .backend(let reason): "the object store failed: \(reason)"
        }
    }
}

/// One bucket of objects: the seam between the services and S3 (in-memory fake in tests).
/// Every call throws ``ObjectStoreError`` only.
public protocol ObjectStore: Sendable {
    /// The bucket's name, for messages and logs.
    var name: String { get }
    /// Stores `body` at `key`; with `ifAbsent`, only if no object is there (S3's `If-None-Match: *`).
    ///
    /// - Throws: ``ObjectStoreError/alreadyExists(key:)`` when `ifAbsent` and an object is there.
    func put(key: String, body: ByteBuffer, contentType: String, metadata: [String: String], ifAbsent: Bool) async throws
    /// Stores the chunks of `body` as one object while they arrive, holding at most a part of a
    /// few MiB: large bodies go up as a multipart upload. The object exists only once the body has
    /// ended; if reading the body fails (its error is rethrown as it is) or the store fails, nothing
    /// is left behind, no object and no unfinished upload. With `ifAbsent`, the object is stored
    /// only if none is there when the body ends (an existing one is never replaced).
    ///
    /// - Returns: the object's size in bytes.
    /// - Throws: ``ObjectStoreError/alreadyExists(key:)`` when `ifAbsent` and an object is there.
    func write(key: String, body: ObjectBodyStream, contentType: String, metadata: [String: String], ifAbsent: Bool) async throws -> Int
    /// - Throws: ``ObjectStoreError/notFound(key:)``, ``ObjectStoreError/tooLarge(key:limit:)``.
    func get(key: String, maxBytes: Int) async throws -> StoredObject
    /// The object's body as it arrives (for serving large objects without holding them).
    /// - Throws: ``ObjectStoreError/notFound(key:)``.
    func stream(key: String) async throws -> (info: StoredObjectInfo, body: ObjectBodyStream)
    /// What is known of the object, its metadata included; nil when it does not exist.
    func head(key: String) async throws -> StoredObjectInfo?
    /// Deleting a missing object succeeds.
    func delete(key: String) async throws
    /// Every object under `prefix`, in key order.
    func list(prefix: String?) async throws -> [StoredObjectInfo]
    /// Succeeds when the bucket can be used now (readiness checks).
    func checkReachable() async throws
}

extension ObjectStore {
    public func put(key: String, body: ByteBuffer, contentType: String, metadata: [String: String] = [:]) async throws {
        try await put(key: key, body: body, contentType: contentType, metadata: metadata, ifAbsent: false)
    }

    public func write(key: String, body: ObjectBodyStream, contentType: String, metadata: [String: String]) async throws -> Int {
        try await write(key: key, body: body, contentType: contentType, metadata: metadata, ifAbsent: false)
    }
}

/// An object's body as it arrives, chunk by chunk; read it once. Errors while reading are
/// ``ObjectStoreError``s.
public struct ObjectBodyStream: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    let next: @Sendable () async throws -> ByteBuffer?

    /// A stream whose chunks come from `next` (nil at the end).
    public init(next: @escaping @Sendable () async throws -> ByteBuffer?) {
        self.next = next
    }

    /// A body already in memory, as one chunk.
    public init(_ buffer: ByteBuffer) {
        let remaining = Mutex<ByteBuffer?>(buffer.readableBytes > 0 ? buffer : nil)
        self.init { remaining.withLock { chunk in defer { chunk = nil }; return chunk } }
    }

    public struct AsyncIterator: AsyncIteratorProtocol, Sendable {
        let produce: @Sendable () async throws -> ByteBuffer?
        public mutating func next() async throws -> ByteBuffer? { try await produce() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(produce: next) }
}
