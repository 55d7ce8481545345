import Foundation
import NIOCore
import PipelineContract
import Synchronization

/// An ``ObjectStore`` in memory, with failures that tests can switch on.
public final class InMemoryObjectStore: ObjectStore {
    struct Entry {
        var body: ByteBuffer
        var contentType: String
        var metadata: [String: String]
        var lastModified: Date
    }

    /// Operations a test can make fail.
    public enum Operation: Sendable, Hashable { case put, get, head, delete, list, reachability }

    public let name: String
    private let state = Mutex<(objects: [String: Entry], failures: [Operation: ObjectStoreError], delays: [Operation: Duration], calls: [String])>(
        ([:], [:], [:], [])
    )
    private let changes = ChangeSignal()

    public init(name: String = "bucket") {
        self.name = name
    }

    /// Makes every later call of `operation` throw `error` (nil heals it).
    public func fail(_ operation: Operation, with error: ObjectStoreError? = .backend(reason: "connection refused")) {
        state.withLock { $0.failures[operation] = error }
    }

    /// Makes every later call of `operation` take `delay` first (nil makes it quick again), as a
    /// slow or unreachable S3 would.
    public func delay(_ operation: Operation, by delay: Duration?) {
        state.withLock { $0.delays[operation] = delay }
    }

    /// Every key stored, sorted.
    /// Waits until `condition` holds for the store, checked as each call starts and as each
    /// write or deletion is done, for `limit` at most; returns whether it held.
    @discardableResult
    public func wait(atMost limit: Duration = .seconds(20), until condition: (InMemoryObjectStore) -> Bool) async -> Bool {
        await changes.wait(atMost: limit) { condition(self) }
    }

    public var keys: [String] { state.withLock { $0.objects.keys.sorted() } }

    /// The operations called so far, as `put key` lines.
    public var calls: [String] { state.withLock { $0.calls } }

    /// A stored body as bytes, or nil.
    public func bytes(_ key: String) -> [UInt8]? {
        state.withLock { $0.objects[key].map { Array($0.body.readableBytesView) } }
    }

    public func contentType(_ key: String) -> String? {
        state.withLock { $0.objects[key]?.contentType }
    }

    public func metadata(_ key: String) -> [String: String]? {
        state.withLock { $0.objects[key]?.metadata }
    }

    private func check(_ operation: Operation, _ call: String) async throws {
        let (failure, delay) = state.withLock { state -> (ObjectStoreError?, Duration?) in
            state.calls.append(call)
            return (state.failures[operation], state.delays[operation])
        }
        changes.changed()
        if let delay { try await Task.sleep(for: delay) }
        if let failure { throw failure }
    }

    public func put(key: String, body: ByteBuffer, contentType: String, metadata: [String: String], ifAbsent: Bool) async throws {
        try await check(.put, "put \(key)")
        let stored = state.withLock { state in
            if ifAbsent && state.objects[key] != nil { return false }
            state.objects[key] = Entry(body: body, contentType: contentType, metadata: metadata, lastModified: Date())
            return true
        }
        guard stored else { throw ObjectStoreError.alreadyExists(key: key) }
        changes.changed()
    }

    public func write(key: String, body: ObjectBodyStream, contentType: String, metadata: [String: String], ifAbsent: Bool) async throws -> Int {
        var collected = ByteBuffer()
        for try await var chunk in body { collected.writeBuffer(&chunk) }
        try await put(key: key, body: collected, contentType: contentType, metadata: metadata, ifAbsent: ifAbsent)
        return collected.readableBytes
    }

    public func get(key: String, maxBytes: Int) async throws -> StoredObject {
        try await check(.get, "get \(key)")
        guard let entry = state.withLock({ $0.objects[key] }) else { throw ObjectStoreError.notFound(key: key) }
        guard entry.body.readableBytes <= maxBytes else { throw ObjectStoreError.tooLarge(key: key, limit: maxBytes) }
        return StoredObject(info: info(key, entry), metadata: entry.metadata, body: entry.body)
    }

    public func stream(key: String) async throws -> (info: StoredObjectInfo, body: ObjectBodyStream) {
        try await check(.get, "stream \(key)")
        guard let entry = state.withLock({ $0.objects[key] }) else { throw ObjectStoreError.notFound(key: key) }
        return (info(key, entry), ObjectBodyStream(entry.body))
    }

    public func head(key: String) async throws -> StoredObjectInfo? {
        try await check(.head, "head \(key)")
        return state.withLock { $0.objects[key] }.map { entry in
            var info = info(key, entry)
            info.metadata = entry.metadata
            return info
        }
    }

    public func delete(key: String) async throws {
        try await check(.delete, "delete \(key)")
        _ = state.withLock { $0.objects.removeValue(forKey: key) }
        changes.changed()
    }

    public func list(prefix: String?) async throws -> [StoredObjectInfo] {
        try await check(.list, "list \(prefix ?? "")")
        return state.withLock { state in
            state.objects.filter { entry in prefix.map { entry.key.hasPrefix($0) } ?? true }
                .sorted { $0.key < $1.key }
                .map { info($0.key, $0.value) }
        }
    }

    public func checkReachable() async throws {
        try await check(.reachability, "reachability")
    }

    private func info(_ key: String, _ entry: Entry) -> StoredObjectInfo {
        StoredObjectInfo(
            key: key, size: entry.body.readableBytes, eTag: "\"\(entry.body.readableBytes)-\(key.hashValue & 0xffff)\"",
            lastModified: entry.lastModified, contentType: entry.contentType
        )
    }
}
