import NIOCore
import PipelineContract
import PipelineTestSupport
import Testing

/// The fake store behaves like S3 where the services depend on it.
@Suite struct InMemoryObjectStoreTests {
    @Test func storeFailuresCanBeSwitchedOn() async throws {
        let store = InMemoryObjectStore()
        try await store.put(key: "k", body: ByteBuffer(string: "v"), contentType: "text/plain")
        store.fail(.get)
        await #expect(throws: ObjectStoreError.backend(reason: "connection refused")) { _ = try await store.get(key: "k", maxBytes: 10) }
        store.fail(.get, with: nil)
        #expect(try await store.get(key: "k", maxBytes: 10).body == ByteBuffer(string: "v"))
        await #expect(throws: ObjectStoreError.notFound(key: "nope")) { _ = try await store.get(key: "nope", maxBytes: 10) }
        await #expect(throws: ObjectStoreError.tooLarge(key: "k", limit: 0)) { _ = try await store.get(key: "k", maxBytes: 0) }
        #expect(try await store.head(key: "nope") == nil)
        #expect(try await store.list(prefix: "k").map(\.key) == ["k"])
    }
}
