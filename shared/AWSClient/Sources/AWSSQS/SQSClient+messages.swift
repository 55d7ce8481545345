import AWSClient

/// A received message.
public struct SQSMessage: Sendable, Equatable {
    public var messageID: String
    /// Needed to delete the message or change its visibility; new on every receive.
    public var receiptHandle: String
    public var body: String
    /// System attributes, e.g. `ApproximateReceiveCount`, `SentTimestamp`, `MessageGroupId`.
    public var attributes: [String: String]

    public init(messageID: String, receiptHandle: String, body: String, attributes: [String: String] = [:]) {
        self.messageID = messageID
        self.receiptHandle = receiptHandle
        self.body = body
        self.attributes = attributes
    }

    /// How many times the message has been received, this time included.
    public var receiveCount: Int { attributes["ApproximateReceiveCount"].flatMap(Int.init) ?? 1 }
}

/// A message to send in a batch.
public struct SQSBatchEntry: Sendable, Equatable {
    public var id: String
    public var body: String
    public var groupID: String?
    public var deduplicationID: String?

    public init(id: String, body: String, groupID: String? = nil, deduplicationID: String? = nil) {
        self.id = id
        self.body = body
        self.groupID = groupID
        self.deduplicationID = deduplicationID
    }
}

/// The outcome of a batch call: which entries succeeded and which failed, and why.
public struct SQSBatchResult: Sendable, Equatable {
    public struct Failure: Sendable, Equatable, Decodable {
        public var Id: String
        public var Code: String
        public var Message: String?
        public var SenderFault: Bool?
    }
    public var successfulIDs: [String]
    public var failed: [Failure]
}

extension SQSClient {
    /// Sends one message; FIFO queues need `groupID`, and `deduplicationID` unless content-based.
    ///
    /// - Returns: the message id.
    @discardableResult
    public func sendMessage(queueURL: String, body: String, groupID: String? = nil, deduplicationID: String? = nil) async throws -> String {
        struct Input: Encodable { var QueueUrl: String; var MessageBody: String; var MessageGroupId: String?; var MessageDeduplicationId: String? }
        struct Output: Decodable { var MessageId: String }
        return try await call("SendMessage", Input(
            QueueUrl: queueURL, MessageBody: body, MessageGroupId: groupID, MessageDeduplicationId: deduplicationID
        ), as: Output.self).MessageId
    }

    /// Sends up to ten messages in one call.
    public func sendMessageBatch(queueURL: String, entries: [SQSBatchEntry]) async throws -> SQSBatchResult {
        struct Entry: Encodable { var Id: String; var MessageBody: String; var MessageGroupId: String?; var MessageDeduplicationId: String? }
        struct Input: Encodable { var QueueUrl: String; var Entries: [Entry] }
        let input = Input(QueueUrl: queueURL, Entries: entries.map {
            Entry(Id: $0.id, MessageBody: $0.body, MessageGroupId: $0.groupID, MessageDeduplicationId: $0.deduplicationID)
        })
        return try await batchCall("SendMessageBatch", input)
    }

    /// Receives up to `maxMessages` (1–10), waiting up to `waitSeconds` (0–20) for the first (long poll).
    public func receiveMessages(queueURL: String, maxMessages: Int = 10, waitSeconds: Int = 20, visibilityTimeout: Int? = nil) async throws -> [SQSMessage] {
        struct Input: Encodable {
            var QueueUrl: String; var MaxNumberOfMessages: Int; var WaitTimeSeconds: Int; var VisibilityTimeout: Int?
            var AttributeNames: [String]; var MessageSystemAttributeNames: [String]
        }
        struct Message: Decodable { var MessageId: String; var ReceiptHandle: String; var Body: String; var Attributes: [String: String]? }
        struct Output: Decodable { var Messages: [Message]? }
        let input = Input(
            QueueUrl: queueURL, MaxNumberOfMessages: min(max(maxMessages, 1), 10), WaitTimeSeconds: min(max(waitSeconds, 0), 20),
            VisibilityTimeout: visibilityTimeout, AttributeNames: ["All"], MessageSystemAttributeNames: ["All"]
        )
        // A long poll legitimately takes its whole wait; the call's limit must exceed it.
        let timeout = client.configuration.timeout + .seconds(input.WaitTimeSeconds)
        let output = try await call("ReceiveMessage", input, as: Output.self, timeout: timeout)
        return (output.Messages ?? []).map {
            SQSMessage(messageID: $0.MessageId, receiptHandle: $0.ReceiptHandle, body: $0.Body, attributes: $0.Attributes ?? [:])
        }
    }

    public func deleteMessage(queueURL: String, receiptHandle: String) async throws {
        struct Input: Encodable { var QueueUrl: String; var ReceiptHandle: String }
        _ = try await call("DeleteMessage", Input(QueueUrl: queueURL, ReceiptHandle: receiptHandle), as: Empty.self)
    }

    /// Deletes up to ten messages; `entries` pairs a caller-chosen id with each receipt handle.
    public func deleteMessageBatch(queueURL: String, entries: [(id: String, receiptHandle: String)]) async throws -> SQSBatchResult {
        struct Entry: Encodable { var Id: String; var ReceiptHandle: String }
        struct Input: Encodable { var QueueUrl: String; var Entries: [Entry] }
        return try await batchCall("DeleteMessageBatch", Input(QueueUrl: queueURL, Entries: entries.map { Entry(Id: $0.id, ReceiptHandle: $0.receiptHandle) }))
    }

    /// Makes the message invisible for `timeout` more seconds from now (0 releases it at once).
    public func changeMessageVisibility(queueURL: String, receiptHandle: String, timeout: Int) async throws {
        struct Input: Encodable { var QueueUrl: String; var ReceiptHandle: String; var VisibilityTimeout: Int }
        _ = try await call("ChangeMessageVisibility", Input(QueueUrl: queueURL, ReceiptHandle: receiptHandle, VisibilityTimeout: timeout), as: Empty.self)
    }

    func batchCall(_ action: String, _ input: some Encodable) async throws -> SQSBatchResult {
        let output = try await call(action, input, as: BatchOutput.self)
        return SQSBatchResult(successfulIDs: (output.Successful ?? []).map(\.Id), failed: output.Failed ?? [])
    }
}

/// The JSON answer of the batch calls.
struct BatchOutput: Decodable {
    struct Success: Decodable { var Id: String }
    var Successful: [Success]?
    var Failed: [SQSBatchResult.Failure]?
}
