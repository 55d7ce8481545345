import Foundation
import PipelineContract
import Synchronization

/// A FIFO ``MessageQueue`` in memory with SQS's delivery rules: deduplication ids, visibility
/// timeouts, receive counts, and a new receipt handle on each delivery.
public final class InMemoryMessageQueue: MessageQueue {
    struct Stored {
        var id: String
        var body: String
        var groupID: String
        var receiveCount = 0
        var invisibleUntil: ContinuousClock.Instant?
        var receiptHandle: String?
    }

    public enum Operation: Sendable, Hashable { case send, receive, delete, changeVisibility, reachability, depth }

    struct State {
        var messages: [Stored] = []
        var deduplicationIDs: Set<String> = []
        var failures: [Operation: MessageQueueError] = [:]
        var delays: [Operation: (duration: Duration, ignoringCancellation: Bool)] = [:]
        var lostAnswers = 0
        var sendAttempts = 0
        var nextID = 0
        var visibilityChanges: [(handle: String, timeout: Int)] = []
        var deleteCalls: [Int] = []
        var sendCalls: [Int] = []
        var receiveCalls = 0
    }

    public let name: String
    /// Seconds a received message stays invisible when the receiver does not say.
    public let defaultVisibilityTimeout: Int
    private let state = Mutex(State())
    private let changes = ChangeSignal()

    public init(name: String = "queue.fifo", defaultVisibilityTimeout: Int = 30) {
        self.name = name
        self.defaultVisibilityTimeout = defaultVisibilityTimeout
    }

    public func fail(_ operation: Operation, with error: MessageQueueError? = MessageQueueError(reason: "connection refused")) {
        state.withLock { $0.failures[operation] = error }
    }

    /// Makes every later call of `operation` take `delay` first (nil makes it quick again), as a
    /// slow or unreachable SQS would. A call under way when it is cancelled stops, unless
    /// `ignoringCancellation` (a request already on the wire, whose answer comes anyway).
    public func delay(_ operation: Operation, by delay: Duration?, ignoringCancellation: Bool = false) {
        state.withLock { $0.delays[operation] = delay.map { ($0, ignoringCancellation) } }
    }

    /// The next `count` sends are done but throw as if the answer was lost on the way back.
    public func loseAnswers(ofNextSends count: Int) {
        state.withLock { $0.lostAnswers = count }
    }

    /// Waits until `condition` holds for the queue, checked after each call made to it (a send
    /// tried, a receive, a deletion...), for `limit` at most; returns whether it held. Tests wait
    /// with it instead of sleeping.
    @discardableResult
    public func wait(atMost limit: Duration = .seconds(20), until condition: (InMemoryMessageQueue) -> Bool) async -> Bool {
        await changes.wait(atMost: limit) { condition(self) }
    }

    /// Bodies of the messages still in the queue (visible or not), oldest first.
    public var bodies: [String] { state.withLock { $0.messages.map(\.body) } }

    /// How many send and send-batch calls were made, failed ones included.
    public var sendAttempts: Int { state.withLock { $0.sendAttempts } }

    /// How many receive calls were made.
    public var receiveCalls: Int { state.withLock { $0.receiveCalls } }

    /// How many receipt handles each delete call carried (1 for `delete`), in order.
    public var deleteCalls: [Int] { state.withLock { $0.deleteCalls } }

    /// How many messages each send call carried (1 for `send`), in order.
    public var sendCalls: [Int] { state.withLock { $0.sendCalls } }

    /// Every visibility change asked for, in order.
    public var visibilityChanges: [(handle: String, timeout: Int)] { state.withLock { $0.visibilityChanges } }

    private func check(_ operation: Operation) async throws {
        let (failure, delay) = state.withLock { ($0.failures[operation], $0.delays[operation]) }
        if let delay {
            if delay.ignoringCancellation {
                await Task { try? await Task.sleep(for: delay.duration) }.value
            } else {
                try await Task.sleep(for: delay.duration)
            }
        }
        if let failure { throw failure }
    }

    public func send(body: String, groupID: String, deduplicationID: String) async throws {
        defer { changes.changed() }
        state.withLock { $0.sendAttempts += 1 }
        try await check(.send)
        let answerLost = state.withLock { state in
            state.sendCalls.append(1)
            Self.store(OutgoingMessage(body: body, groupID: groupID, deduplicationID: deduplicationID), in: &state)
            defer { state.lostAnswers = max(0, state.lostAnswers - 1) }
            return state.lostAnswers > 0
        }
        if answerLost { throw MessageQueueError(reason: "the connection was reset before the answer") }
    }

    public func sendBatch(_ messages: [OutgoingMessage]) async throws -> [Int] {
        defer { changes.changed() }
        state.withLock { $0.sendAttempts += 1 }
        try await check(.send)
        state.withLock { state in
            state.sendCalls.append(messages.count)
            for message in messages { Self.store(message, in: &state) }
        }
        return []
    }

    /// Adds a message unless its deduplication id was seen.
    private static func store(_ message: OutgoingMessage, in state: inout State) {
        guard state.deduplicationIDs.insert(message.deduplicationID).inserted else { return }
        state.nextID += 1
        state.messages.append(Stored(id: "m\(state.nextID)", body: message.body, groupID: message.groupID))
    }

    public func receive(maxMessages: Int, waitSeconds: Int, visibilityTimeout: Int?) async throws -> [QueueMessage] {
        try await check(.receive)
        state.withLock { $0.receiveCalls += 1 }
        changes.changed()
        let deadline = ContinuousClock.now + .seconds(waitSeconds)
        while true {
            let received = takeVisible(maxMessages: maxMessages, visibilityTimeout: visibilityTimeout ?? defaultVisibilityTimeout)
            if !received.isEmpty { changes.changed() }
            if !received.isEmpty || ContinuousClock.now >= deadline { return received }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    private func takeVisible(maxMessages: Int, visibilityTimeout: Int) -> [QueueMessage] {
        state.withLock { state in
            let now = ContinuousClock.now
            // FIFO: a group with a message in flight delivers nothing more until it is done.
            let busyGroups = Set(state.messages.filter { ($0.invisibleUntil ?? now) > now }.map(\.groupID))
            var out: [QueueMessage] = []
            var taken = Set<String>()
            for index in state.messages.indices where out.count < maxMessages {
                let message = state.messages[index]
                guard (message.invisibleUntil ?? now) <= now, !busyGroups.contains(message.groupID), !taken.contains(message.groupID) else { continue }
                taken.insert(message.groupID)
                state.nextID += 1
                let handle = "\(message.id)-r\(state.nextID)"
                state.messages[index].receiveCount += 1
                state.messages[index].invisibleUntil = now + .seconds(visibilityTimeout)
                state.messages[index].receiptHandle = handle
                out.append(QueueMessage(id: message.id, receiptHandle: handle, body: message.body, receiveCount: state.messages[index].receiveCount))
            }
            return out
        }
    }

    public func delete(receiptHandle: String) async throws {
        defer { changes.changed() }
        try await check(.delete)
        state.withLock {
            $0.deleteCalls.append(1)
            $0.messages.removeAll { $0.receiptHandle == receiptHandle }
        }
    }

    public func deleteBatch(receiptHandles: [String]) async throws -> [String] {
        defer { changes.changed() }
        try await check(.delete)
        let handles = Set(receiptHandles)
        state.withLock {
            $0.deleteCalls.append(receiptHandles.count)
            $0.messages.removeAll { $0.receiptHandle.map(handles.contains) ?? false }
        }
        return []
    }

    public func changeVisibility(receiptHandle: String, timeout: Int) async throws {
        defer { changes.changed() }
        try await check(.changeVisibility)
        state.withLock { state in
            state.visibilityChanges.append((receiptHandle, timeout))
            if let index = state.messages.firstIndex(where: { $0.receiptHandle == receiptHandle }) {
                state.messages[index].invisibleUntil = ContinuousClock.now + .seconds(timeout)
            }
        }
    }

    public func checkReachable() async throws {
        try await check(.reachability)
    }

    public func depth() async throws -> QueueDepth {
        try await check(.depth)
        return state.withLock { state in
            let now = ContinuousClock.now
            let inFlight = state.messages.filter { ($0.invisibleUntil ?? now) > now }.count
            return QueueDepth(visible: state.messages.count - inFlight, inFlight: inFlight)
        }
    }
}
