import Foundation
import Logging
import PipelineContract

/// The input queue's dead letters, for administrators: which images they are, why they failed,
/// and a way to send them back to the queue.
///
/// Listing reads the dead-letter queue without taking anything from it: each receive hides what it
/// brings for a few seconds (so that the next receive brings the next ones) and every message is
/// made visible again at once afterwards. Sending back uses SQS's message move task where the queue
/// service has one (one call; SQS moves every message to the queue it came from), and otherwise
/// moves the messages one by one: received, sent to the input queue under a deduplication id of
/// their own (the image's would be taken for a duplicate within five minutes), then deleted. A
/// message is deleted only after its copy was sent, so none is lost; a crash between the two sends
/// an image twice, which the processor's idempotence absorbs.
struct DeadLetterOffice: Sendable {
    let deadLetters: any MessageQueue
    /// SQS's message move task, where the queue service has one.
    let redrive: (any DeadLetterRedrive)?
    let inputQueue: any MessageQueue
    let table: any ImageTable
    let logger: Logger
    /// Seconds a listing hides a message (then it is released at once).
    var peekVisibility = 5

    /// One dead-lettered image, as the panel shows it.
    struct Letter: Sendable, Encodable, Equatable {
        var imageID: String
        var filename: String?
        var owner: String?
        /// The image's state in the table (`failed`, or `processed` after a successful redrive).
        var state: String?
        /// The last error the image's owner was told.
        var error: String?
        /// How often the message was received (its attempts, and listings since).
        var receiveCount: Int

        enum CodingKeys: String, CodingKey {
            case imageID = "image_id", filename, owner, state, error, receiveCount = "receive_count"
        }
    }

    /// How a redrive went.
    struct Report: Sendable, Encodable, Equatable {
        /// `move_task` (SQS moves them, asynchronously) or `receive_send_delete` (moved here, one by one).
        var method: String
        /// Messages moved here; nil for a move task (SQS counts them).
        var moved: Int?
    }

    /// Up to `limit` dead letters, with what the table says of each image.
    func list(limit: Int = 50) async throws -> [Letter] {
        var messages: [QueueMessage] = []
        defer {
            let held = messages
            let queue = deadLetters
            Task { for message in held { try? await queue.changeVisibility(receiptHandle: message.receiptHandle, timeout: 0) } }
        }
        while messages.count < limit {
            let batch = try await deadLetters.receive(maxMessages: min(10, limit - messages.count), waitSeconds: 0, visibilityTimeout: peekVisibility)
            if batch.isEmpty { break }
            messages += batch
        }
        var letters: [Letter] = []
        for message in messages {
            let request = try? PipelineJSON.decode(ImageUploadedMessage.self, from: message.body)
            let imageID = request?.imageID ?? "?"
            let item = request == nil ? nil : try? await table.item(imageID)
            letters.append(Letter(
                imageID: imageID, filename: item?.filename ?? request?.filename, owner: item?.owner ?? request?.owner,
                state: item?.state.rawValue, error: item?.error, receiveCount: message.receiveCount
            ))
        }
        return letters
    }

    /// Sends every dead letter back to the input queue.
    func redriveAll() async throws -> Report {
        if let redrive, try await redrive.startMovingBack() {
            logger.notice("dead letters sent back by a message move task")
            return Report(method: "move_task", moved: nil)
        }
        var moved = 0
        while true {
            let batch = try await deadLetters.receive(maxMessages: 10, waitSeconds: 0, visibilityTimeout: 30)
            if batch.isEmpty { break }
            for message in batch {
                let request = try? PipelineJSON.decode(ImageUploadedMessage.self, from: message.body)
                let group = request?.imageID ?? message.id
                try await inputQueue.send(body: message.body, groupID: group, deduplicationID: "redrive-\(group)-\(Self.stamp())")
                try await deadLetters.delete(receiptHandle: message.receiptHandle)
                moved += 1
            }
        }
        logger.notice("dead letters sent back one by one", metadata: ["moved": "\(moved)"])
        return Report(method: "receive_send_delete", moved: moved)
    }

    static func stamp() -> String { String(Int(Date().timeIntervalSince1970 * 1000)) }
}
