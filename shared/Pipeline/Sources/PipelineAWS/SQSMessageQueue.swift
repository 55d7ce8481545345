import AWSClient
import AWSSQS
import PipelineContract

/// ``MessageQueue`` on one SQS queue, found by name (GetQueueUrl, cached). AWS's errors stay
/// inside: callers see ``MessageQueueError``.
public struct SQSMessageQueue: MessageQueue {
    public let sqs: SQSClient
    public let name: String

    public init(sqs: SQSClient, name: String) {
        self.sqs = sqs
        self.name = name
    }

    func url() async throws -> String {
        try await sqs.queueURL(named: name)
    }

    public func send(body: String, groupID: String, deduplicationID: String) async throws {
        try await mappingErrors {
            try await sqs.sendMessage(queueURL: url(), body: body, groupID: groupID, deduplicationID: deduplicationID)
        }
    }

    public func sendBatch(_ messages: [OutgoingMessage]) async throws -> [Int] {
        try await mappingErrors {
            let queueURL = try await url()
            var refused: [Int] = []
            for start in stride(from: 0, to: messages.count, by: 10) {
                let chunk = messages[start..<min(start + 10, messages.count)]
                let result = try await sqs.sendMessageBatch(queueURL: queueURL, entries: chunk.enumerated().map {
                    SQSBatchEntry(id: String($0.offset), body: $0.element.body, groupID: $0.element.groupID, deduplicationID: $0.element.deduplicationID)
                })
                refused += result.failed.compactMap { Int($0.Id).map { start + $0 } }
            }
            return refused
        }
    }

    public func receive(maxMessages: Int, waitSeconds: Int, visibilityTimeout: Int?) async throws -> [QueueMessage] {
        try await mappingErrors {
            try await sqs.receiveMessages(queueURL: url(), maxMessages: maxMessages, waitSeconds: waitSeconds, visibilityTimeout: visibilityTimeout)
                .map { QueueMessage(id: $0.messageID, receiptHandle: $0.receiptHandle, body: $0.body, receiveCount: $0.receiveCount) }
        }
    }

    public func delete(receiptHandle: String) async throws {
        try await mappingErrors { try await sqs.deleteMessage(queueURL: url(), receiptHandle: receiptHandle) }
    }

    public func deleteBatch(receiptHandles: [String]) async throws -> [String] {
        try await mappingErrors { try await deleteInBatches(receiptHandles) }
    }

    func deleteInBatches(_ receiptHandles: [String]) async throws -> [String] {
        var failed: [String] = []
        let queueURL = try await url()
        var start = 0
        while start < receiptHandles.count {
            let chunk = Array(receiptHandles[start..<min(start + 10, receiptHandles.count)])
            let result = try await sqs.deleteMessageBatch(
                queueURL: queueURL, entries: chunk.enumerated().map { (id: String($0.offset), receiptHandle: $0.element) }
            )
            failed += result.failed.compactMap { Int($0.Id).map { chunk[$0] } }
            start += 10
        }
        return failed
    }

    public func changeVisibility(receiptHandle: String, timeout: Int) async throws {
        try await mappingErrors { try await sqs.changeMessageVisibility(queueURL: url(), receiptHandle: receiptHandle, timeout: timeout) }
    }

    public func checkReachable() async throws {
        _ = try await mappingErrors { try await sqs.queueAttributes(queueURL: url(), names: ["QueueArn"]) }
    }

    /// One GetQueueAttributes call.
    public func depth() async throws -> QueueDepth {
        let attributes = try await mappingErrors {
            try await sqs.queueAttributes(
                queueURL: url(), names: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
            )
        }
        guard let visible = attributes["ApproximateNumberOfMessages"].flatMap({ Int($0) }),
            let inFlight = attributes["ApproximateNumberOfMessagesNotVisible"].flatMap({ Int($0) })
        else {
            throw MessageQueueError(reason: "GetQueueAttributes did not return the message counts of \(name)")
        }
        return QueueDepth(visible: visible, inFlight: inFlight)
    }

    /// Runs `body`, turning whatever it throws into a ``MessageQueueError`` (cancellation stays).
    @discardableResult
    func mappingErrors<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as CancellationError {
            throw error
        } catch let error as AWSError {
            // Only an answer that refuses the call says it did nothing; one that could not be
            // read may follow a send that was done.
            let refused = if case .service = error { !error.isRetryable } else { false }
            throw MessageQueueError(reason: String(describing: error), isTransient: !refused)
        } catch {
            throw MessageQueueError(reason: String(describing: error))
        }
    }
}

/// SQS's message move task from a dead-letter queue to the queue its messages belong in: named
/// explicitly, as SQS's "back to the original sources" knows only messages that its redrive policy
/// moved (a message put there by hand has no source).
public struct SQSMessageMove: DeadLetterRedrive {
    public let deadLetters: SQSMessageQueue
    public let destination: SQSMessageQueue

    public init(from deadLetters: SQSMessageQueue, to destination: SQSMessageQueue) {
        self.deadLetters = deadLetters
        self.destination = destination
    }

    /// `StartMessageMoveTask`; false where the queue service has no message move tasks (moto).
    public func startMovingBack() async throws -> Bool {
        do {
            let source = try await arn(of: deadLetters)
            let target = try await arn(of: destination)
            _ = try await deadLetters.sqs.startMessageMoveTask(sourceArn: source, destinationArn: target)
            return true
        } catch where SQSClient.isUnsupportedAction(error) {
            return false
        } catch let error as MessageQueueError {
            throw error
        } catch {
            throw MessageQueueError(reason: "\(error)")
        }
    }

    func arn(of queue: SQSMessageQueue) async throws -> String {
        guard let arn = try await queue.sqs.queueAttributes(queueURL: queue.url(), names: ["QueueArn"])["QueueArn"] else {
            throw MessageQueueError(reason: "the queue \(queue.name) has no QueueArn")
        }
        return arn
    }
}
