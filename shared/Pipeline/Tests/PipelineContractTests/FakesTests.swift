import NIOCore
import PipelineContract
import PipelineTestSupport
import Testing

/// The fakes behave like S3 and SQS where the services depend on it.
@Suite struct FakesTests {
    @Test func queueDeduplicatesAndRedeliversAfterVisibilityTimeout() async throws {
        let queue = InMemoryMessageQueue()
        try await queue.send(body: "a", groupID: "g1", deduplicationID: "d1")
        try await queue.send(body: "a again", groupID: "g1", deduplicationID: "d1")
        try await queue.send(body: "b", groupID: "g2", deduplicationID: "d2")
        #expect(queue.bodies == ["a", "b"])
        let first = try await queue.receive(maxMessages: 10, waitSeconds: 0, visibilityTimeout: 1)
        #expect(first.map(\.body) == ["a", "b"])
        #expect(try await queue.receive(maxMessages: 10, waitSeconds: 0, visibilityTimeout: 1).isEmpty)
        try await queue.delete(receiptHandle: first[1].receiptHandle)
        try await queue.changeVisibility(receiptHandle: first[0].receiptHandle, timeout: 0)
        let again = try await queue.receive(maxMessages: 10, waitSeconds: 0, visibilityTimeout: 1)
        #expect(again.map(\.body) == ["a"])
        #expect(again.first?.receiveCount == 2)
        #expect(again.first?.receiptHandle != first[0].receiptHandle)
    }

    /// A send whose answer is lost is done all the same; asked again, it is taken once.
    @Test func queueLosesTheAnswersItIsToldTo() async throws {
        let queue = InMemoryMessageQueue()
        queue.loseAnswers(ofNextSends: 1)
        await #expect(throws: MessageQueueError.self) { try await queue.send(body: "a", groupID: "g", deduplicationID: "d") }
        try await queue.send(body: "a", groupID: "g", deduplicationID: "d")
        #expect(queue.bodies == ["a"])
        #expect(queue.sendAttempts == 2)
    }

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
