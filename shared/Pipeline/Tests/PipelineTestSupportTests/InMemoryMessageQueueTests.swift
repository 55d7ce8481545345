import NIOCore
import PipelineContract
import PipelineTestSupport
import Testing

/// The fake queue behaves like SQS where the services depend on it.
@Suite struct InMemoryMessageQueueTests {
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
}
