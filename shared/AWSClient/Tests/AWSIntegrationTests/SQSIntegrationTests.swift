import AWSClient
import AWSSigV4
import AWSSQS
import Foundation
import AWSTestSupport
import Testing

/// Every SQS operation against the emulator, with signatures checked for real.
@Suite struct SQSIntegrationTests {
    func fifoQueue(_ sqs: SQSClient, _ stem: String, attributes: [String: String] = [:]) async throws -> String {
        let base = ["FifoQueue": "true", "ContentBasedDeduplication": "true"]
        return try await sqs.createQueue(named: "\(stem)-\(Emulator.uniqueSuffix()).fifo", attributes: base.merging(attributes) { $1 })
    }

    @Test(arguments: TransportKind.allCases) func fifoRoundTripWithDeduplication(_ kind: TransportKind) async throws {
        try await IntegrationContext.run(kind) { context in
            let sqs = context.sqs
            let url = try await fifoQueue(sqs, "it-fifo")
            // Same deduplication id twice: one message. Content-based dedup: same body twice: one message.
            try await sqs.sendMessage(queueURL: url, body: "one", groupID: "g1", deduplicationID: "d1")
            try await sqs.sendMessage(queueURL: url, body: "one again", groupID: "g1", deduplicationID: "d1")
            try await sqs.sendMessage(queueURL: url, body: "two", groupID: "g2")
            try await sqs.sendMessage(queueURL: url, body: "two", groupID: "g2")
            let batch = try await sqs.sendMessageBatch(queueURL: url, entries: [
                SQSBatchEntry(id: "a", body: "three", groupID: "g3", deduplicationID: "d3"),
                SQSBatchEntry(id: "b", body: "four", groupID: "g4", deduplicationID: "d4"),
            ])
            #expect(batch.successfulIDs.sorted() == ["a", "b"])
            #expect(batch.failed.isEmpty)

            var bodies: [String] = []
            var handles: [(id: String, receiptHandle: String)] = []
            for _ in 0..<5 where bodies.count < 4 {
                let messages = try await sqs.receiveMessages(queueURL: url, maxMessages: 10, waitSeconds: 1)
                for message in messages {
                    bodies.append(message.body)
                    handles.append((id: String(handles.count), receiptHandle: message.receiptHandle))
                    #expect(message.receiveCount == 1)
                    #expect(message.attributes["MessageGroupId"] != nil)
                }
            }
            #expect(bodies.sorted() == ["four", "one", "three", "two"])
            let deleted = try await sqs.deleteMessageBatch(queueURL: url, entries: handles)
            #expect(deleted.failed.isEmpty)
            #expect(try await sqs.receiveMessages(queueURL: url, waitSeconds: 1).isEmpty)
        }
    }

    @Test(arguments: TransportKind.allCases) func visibilityTimeoutExpiryRedelivers(_ kind: TransportKind) async throws {
        try await IntegrationContext.run(kind) { context in
            let sqs = context.sqs
            let url = try await fifoQueue(sqs, "it-visibility", attributes: ["VisibilityTimeout": "1"])
            try await sqs.sendMessage(queueURL: url, body: "again", groupID: "g")
            let first = try #require(try await sqs.receiveMessages(queueURL: url, waitSeconds: 1).first)
            #expect(try await sqs.receiveMessages(queueURL: url, waitSeconds: 0).isEmpty, "invisible while in flight")
            try await Task.sleep(for: .milliseconds(1500))
            let second = try #require(try await sqs.receiveMessages(queueURL: url, waitSeconds: 2).first)
            #expect(second.messageID == first.messageID)
            #expect(second.receiveCount == 2)
            // Extending the visibility keeps it hidden past the queue's timeout.
            try await sqs.changeMessageVisibility(queueURL: url, receiptHandle: second.receiptHandle, timeout: 5)
            try await Task.sleep(for: .milliseconds(1500))
            #expect(try await sqs.receiveMessages(queueURL: url, waitSeconds: 0).isEmpty)
            try await sqs.deleteMessage(queueURL: url, receiptHandle: second.receiptHandle)
        }
    }

    @Test(arguments: TransportKind.allCases) func messageMovesToTheDeadLetterQueueAfterFiveReceives(_ kind: TransportKind) async throws {
        try await IntegrationContext.run(kind) { context in
            let sqs = context.sqs
            let dlq = try await fifoQueue(sqs, "it-dlq")
            let arn = try #require(try await sqs.queueAttributes(queueURL: dlq, names: ["QueueArn"])["QueueArn"])
            let redrive = #"{"deadLetterTargetArn":"\#(arn)","maxReceiveCount":5}"#
            let url = try await fifoQueue(sqs, "it-redrive", attributes: ["RedrivePolicy": redrive])
            try await sqs.sendMessage(queueURL: url, body: "poison", groupID: "g")
            for attempt in 1...5 {
                let message = try #require(try await sqs.receiveMessages(queueURL: url, waitSeconds: 1).first)
                #expect(message.receiveCount == attempt)
                try await sqs.changeMessageVisibility(queueURL: url, receiptHandle: message.receiptHandle, timeout: 0)
            }
            #expect(try await sqs.receiveMessages(queueURL: url, waitSeconds: 1).isEmpty, "the sixth receive finds it gone")
            let dead = try await sqs.receiveMessages(queueURL: dlq, waitSeconds: 1)
            #expect(dead.map(\.body) == ["poison"])
        }
    }

    @Test(arguments: TransportKind.allCases) func unknownQueueIsATypedError(_ kind: TransportKind) async throws {
        try await IntegrationContext.run(kind) { context in
            await #expect {
                _ = try await context.sqs.queueURL(named: "it-missing-\(Emulator.uniqueSuffix()).fifo")
            } throws: { error in
                guard case .service(let service) = error as? AWSError else { return false }
                return service.code == "QueueDoesNotExist" || service.code == "NonExistentQueue"
            }
        }
    }

    @Test(arguments: TransportKind.allCases) func wrongSecretIsRefusedAsSignatureDoesNotMatch(_ kind: TransportKind) async throws {
        guard var configuration = try Emulator.configuration() else { return }
        configuration.credentials.secretAccessKey += "-wrong"
        configuration.retry = .none
        let transport = kind.make()
        let sqs = SQSClient(configuration: configuration, transport: transport)
        await #expect {
            _ = try await sqs.createQueue(named: "it-denied-\(Emulator.uniqueSuffix())")
        } throws: { error in
            guard case .service(let service) = error as? AWSError else { return false }
            return service.code == "SignatureDoesNotMatch" && service.statusCode == 403
        }
        try await transport.shutdown()
    }
}
