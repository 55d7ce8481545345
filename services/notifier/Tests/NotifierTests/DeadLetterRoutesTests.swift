import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PipelineContract
import PipelineService
import PipelineIdentity
import PipelineTestSupport
import Synchronization
import Testing

@testable import Notifier

/// Dead letters an administrator can act on: which images, why, and sent back to the queue.
@Suite struct DeadLetterRoutesTests {
    let id = "dddddddd-0000-4000-8000-00000000000d"

    /// An image that failed on its last receive: failed in the table, its message in the dead-letter queue.
    func deadLetter(_ harness: NotifierHarness) async throws -> String {
        let key = try await harness.upload(id, "café.png")
        try await harness.fail(id, "café.png")
        while try await harness.consumer.consumeOnce() > 0 {}
        let message = ImageUploadedMessage(imageID: id, objectKey: key, filename: "café.png", owner: ImageOwner.local)
        try await harness.inputDeadLetters.send(body: try PipelineJSON.encode(message), groupID: id, deduplicationID: id)
        return key
    }

    @Test func theListNamesEachImageAndWhyAndLeavesTheQueueAsItWas() async throws {
        let harness = try NotifierHarness()
        _ = try await deadLetter(harness)
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/dead-letters", method: .get) { response in
                #expect(response.status == .ok)
                let images = try #require(try jsonObject(response.body)["images"] as? [[String: Any]])
                #expect(images.count == 1)
                #expect(images.first?["image_id"] as? String == id)
                #expect(images.first?["state"] as? String == "failed")
                #expect((images.first?["error"] as? String)?.isEmpty == false)
            }
        }
        // Listing took nothing: the message is there, visible, for the next listing or a redrive.
        try await Task.sleep(for: .milliseconds(100))
        #expect(try await harness.inputDeadLetters.receive(maxMessages: 10, waitSeconds: 0, visibilityTimeout: 0).count == 1)
    }

    @Test func sendingBackMovesEachMessageToTheInputQueue() async throws {
        let harness = try NotifierHarness()
        let key = try await deadLetter(harness)
        try await harness.application.test(.router) { client in
            // Not as a form: a page elsewhere cannot make a browser send it.
            try await client.execute(uri: "/api/dead-letters/redrive", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"]) {
                #expect($0.status == .unsupportedMediaType)
            }
            try await client.execute(uri: "/api/dead-letters/redrive", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{}")) { response in
                #expect(response.status == .ok)
                let report = try jsonObject(response.body)
                #expect(report["method"] as? String == "receive_send_delete")
                #expect(report["moved"] as? Int == 1)
            }
        }
        #expect(try await harness.inputDeadLetters.receive(maxMessages: 10, waitSeconds: 0, visibilityTimeout: 0).isEmpty)
        let resent = try #require(harness.inputQueue.bodies.first)
        #expect(try PipelineJSON.decode(ImageUploadedMessage.self, from: resent).objectKey == key)
    }

    @Test func aMoveTaskIsUsedWhereTheQueueServiceHasOne() async throws {
        final class MoveTasks: DeadLetterRedrive {
            let started = Atomic<Int>(0)
            func startMovingBack() async throws -> Bool {
                started.add(1, ordering: .relaxed)
                return true
            }
        }
        let harness = try NotifierHarness()
        _ = try await deadLetter(harness)
        let moves = MoveTasks()
        let office = DeadLetterOffice(
            deadLetters: harness.inputDeadLetters, redrive: moves, inputQueue: harness.inputQueue, table: harness.table, logger: Logger(label: "test")
        )
        #expect(try await office.redriveAll() == .init(method: "move_task", moved: nil))
        #expect(moves.started.load(ordering: .relaxed) == 1)
        #expect(harness.inputQueue.bodies.isEmpty, "SQS moves them, not the notifier")
    }

    @Test func onlyAdministratorsSeeOrSendThem() async throws {
        let loadBalancer = TestLoadBalancer()
        let harness = try NotifierHarness(authenticator: loadBalancer.authenticator())
        let asAnn: HTTPFields = [.amznOIDCData: try await loadBalancer.header(owner: "ann"), .contentType: "application/json"]
        let asRoot: HTTPFields = [.amznOIDCData: try await loadBalancer.header(owner: "root", groups: ["admins"]), .contentType: "application/json"]
        try await harness.application.test(.router) { client in
            for (uri, method) in [("/api/dead-letters", HTTPRequest.Method.get), ("/api/dead-letters/redrive", .post)] {
                try await client.execute(uri: uri, method: method, headers: asAnn) { response in
                    #expect(response.status == .forbidden, "\(uri)")
                }
                try await client.execute(uri: uri, method: method, headers: asRoot) { response in
                    #expect(response.status == .ok, "\(uri) for an administrator")
                }
            }
        }
    }
}
