import NIOCore
import PipelineContract
import PipelineTestSupport
import Testing

/// The fakes' `wait(until:)`, which tests use instead of sleeping (ChangeSignal underneath).
@Suite struct ChangeSignalTests {
    @Test func aWaitEndsWithTheChangeThatMakesItsConditionTrue() async throws {
        let queue = InMemoryMessageQueue()
        let waiting = Task { await queue.wait { $0.bodies.count == 2 } }
        try await queue.send(body: "a", groupID: "g", deduplicationID: "a")
        try await queue.send(body: "b", groupID: "g", deduplicationID: "b")
        #expect(await waiting.value)
    }

    @Test func aConditionAlreadyTrueReturnsAtOnce() async {
        let store = InMemoryObjectStore()
        #expect(await store.wait(atMost: .zero) { $0.keys.isEmpty })
    }

    @Test func aConditionThatNeverHoldsGivesUpAtTheLimit() async {
        let queue = InMemoryMessageQueue()
        let started = ContinuousClock.now
        #expect(await queue.wait(atMost: .milliseconds(50)) { $0.receiveCalls > 0 } == false)
        #expect(ContinuousClock.now - started >= .milliseconds(50))
    }

    @Test func theStoreSignalsCallsAndDeletions() async throws {
        let store = InMemoryObjectStore()
        try await store.put(key: "k", body: .init(), contentType: "image/png", metadata: [:])
        let waiting = Task { await store.wait { $0.keys.isEmpty && $0.calls.contains("delete k") } }
        try await store.delete(key: "k")
        #expect(await waiting.value)
    }
}
