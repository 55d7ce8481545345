import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import PipelineContract
import PipelineService
import PipelineTestSupport
import Testing

@testable import UploadAPI

/// Signed in at the load balancer: an upload without a valid identity is refused with 401 and
/// nothing stored; an accepted one names its owner in the message, the event and the object.
@Suite struct UploadOwnerTests {
    let loadBalancer = TestLoadBalancer()
    let png = TestPNG.make(width: 4, height: 3)

    func harness() throws -> UploadHarness {
        var harness = try UploadHarness()
        harness.authenticator = loadBalancer.authenticator()
        return harness
    }

    @Test func anUploadNamesItsOwnerEverywhere() async throws {
        let harness = try harness()
        let form = Multipart.image(png, filename: "cat.png")
        var headers = form.headers
        headers[.amznOIDCData] = try await loadBalancer.header(owner: "ann")
        try await harness.send(headers: headers, body: form.body) { response in
            #expect(response.status == .accepted)
        }
        let message = try PipelineJSON.decode(ImageUploadedMessage.self, from: try #require(harness.queue.bodies.first))
        #expect(message.owner == "ann")
        let event = try PipelineJSON.decode(ImageEvent.self, from: try #require(harness.events.bodies.first))
        #expect(event.owner == "ann" && event.status == .queued)
        let head = try #require(try await harness.store.head(key: message.objectKey))
        #expect(head.metadata["owner"] == "ann")
    }

    @Test func theSameKeyOfTwoOwnersIsTwoImages() async throws {
        let harness = try harness()
        var ids: [String] = []
        for owner in ["ann", "bob"] {
            let form = Multipart.image(png, filename: "cat.png")
            var headers = form.headers
            headers[.amznOIDCData] = try await loadBalancer.header(owner: owner)
            headers[.idempotencyKey] = "photo-1"
            let answer = ResultBox()
            try await harness.send(headers: headers, body: form.body) { response in
                #expect(response.status == .accepted)
                answer.value = try json(response)
            }
            ids.append(try #require(answer.value?["image_id"]))
        }
        #expect(ids[0] != ids[1], "bob's key does not reach ann's image")
        #expect(harness.store.keys.count == 2)
    }

    @Test func noForgedOrMissingIdentityGetsIn() async throws {
        let harness = try harness()
        let forged = try await loadBalancer.header(owner: "ann", signedBy: ES256PrivateKey())
        for value in [nil, "", "not a token", forged] {
            let form = Multipart.image(png)
            var headers = form.headers
            if let value { headers[.amznOIDCData] = value }
            try await harness.send(headers: headers, body: form.body) { response in
                let answer = try json(response)
                #expect(response.status == .unauthorized)
                #expect(answer["error"] == "unauthorized")
            }
        }
        #expect(harness.store.keys.isEmpty && harness.queue.bodies.isEmpty)
    }
}
