/// A message as a consumer sees it.
public struct QueueMessage: Sendable, Equatable {
    public var id: String
    /// Deletes or extends this delivery of the message.
    public var receiptHandle: String
    public var body: String
    /// How many times it has been received, this time included.
    public var receiveCount: Int

    public init(id: String, receiptHandle: String, body: String, receiveCount: Int = 1) {
        self.id = id
        self.receiptHandle = receiptHandle
        self.body = body
        self.receiveCount = receiveCount
    }
}

/// A message to send to a FIFO queue.
public struct OutgoingMessage: Sendable, Equatable {
    public var body: String
    public var groupID: String
    public var deduplicationID: String

    public init(body: String, groupID: String, deduplicationID: String) {
        self.body = body
        self.groupID = groupID
        self.deduplicationID = deduplicationID
    }
}

/// Every way a queue call fails: the queue could not do it (unreachable, refused, throttled);
/// `reason` says why, for logs.
public struct MessageQueueError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    /// Whether the same call may succeed if tried again: the queue could not be reached, gave no
    /// answer in time, or was throttled or failing. A transient failure of a send may also have
    /// been delivered (the answer lost); false means the queue refused the call, which did nothing.
    public var isTransient: Bool

    public init(reason: String, isTransient: Bool = true) {
        self.reason = reason
        self.isTransient = isTransient
    }

    public var description: String { "the message queue failed: \(reason)" }
}

/// One FIFO queue: the seam between the services and SQS (in-memory fake in tests).
/// Every call throws ``MessageQueueError`` only.
public protocol MessageQueue: Sendable {
    /// The queue's name, for messages and logs.
    var name: String { get }
    func send(body: String, groupID: String, deduplicationID: String) async throws
    /// Sends several, ten a call; returns the indices of those the queue did not take.
    func sendBatch(_ messages: [OutgoingMessage]) async throws -> [Int]
    /// Waits up to `waitSeconds` for up to `maxMessages` messages.
    func receive(maxMessages: Int, waitSeconds: Int, visibilityTimeout: Int?) async throws -> [QueueMessage]
    func delete(receiptHandle: String) async throws
    /// Deletes several; returns the receipt handles that could not be deleted.
    func deleteBatch(receiptHandles: [String]) async throws -> [String]
    /// Keeps the message invisible `timeout` more seconds (0 releases it now).
    func changeVisibility(receiptHandle: String, timeout: Int) async throws
    /// Succeeds when the queue can be used now (readiness checks).
    func checkReachable() async throws
    /// How many messages wait and how many are being worked on (approximate, as SQS counts them).
    func depth() async throws -> QueueDepth
}

/// A queue's backlog: messages ready to be received, and messages received but not yet deleted.
public struct QueueDepth: Sendable, Equatable {
    public var visible: Int
    public var inFlight: Int

    public init(visible: Int, inFlight: Int) {
        self.visible = visible
        self.inFlight = inFlight
    }
}

/// A dead-letter queue that can send its messages back to the queue they came from in one move,
/// as SQS's message move tasks do (the seam; an emulator without them says so).
public protocol DeadLetterRedrive: Sendable {
    /// Starts moving every message back. Returns false when the queue service has no such move
    /// (the caller then moves them one by one); throws ``MessageQueueError`` when it refuses.
    func startMovingBack() async throws -> Bool
}

