import Foundation
import Hummingbird
import HummingbirdTesting
import PipelineContract
import PipelineService
import PipelineTestSupport
import Testing

@testable import UploadAPI

@Suite struct IdempotencyKeyTests {
    let png = TestPNG.make(width: 4, height: 3)

    @Test func aRetryWithTheSameIdempotencyKeyIsTheSameImage() async throws {
        let harness = try UploadHarness()
        let form = Multipart.image(png, filename: "cat.png")
        var headers = form.headers
        headers[.idempotencyKey] = "client-42/photo-7"
        let answers = ResultBox()
        var ids: [String] = []
        for _ in 0..<2 {
            try await harness.send(headers: headers, body: form.body) { response in
                #expect(response.status == .accepted)
                answers.value = try json(response)
            }
            ids.append(try #require(answers.value?["image_id"]))
        }
        #expect(ids[0] == ids[1])
        #expect(ids[0] == IdempotencyKey.imageID(for: "client-42/photo-7"))
        #expect(ObjectKeys.isImageID(ids[0]))
        #expect(harness.store.keys == ["\(ids[0])_cat.png"])
        #expect(harness.queue.bodies.count == 1, "the message's deduplication id is the image id")
    }

    @Test func imageIDsOfKeysAreVersion5UUIDs() {
        let id = IdempotencyKey.imageID(for: "k")
        #expect(id == IdempotencyKey.imageID(for: "k"))
        #expect(id != IdempotencyKey.imageID(for: "K"))
        #expect(Array(id)[14] == "5", "version 5")
        #expect("89ab".contains(Array(id)[19]), "RFC variant")
    }

    @Test(arguments: [String(repeating: "k", count: 256), "tab\there", "ключ"])
    func badIdempotencyKeysAreRefused(_ key: String) async throws {
        let harness = try UploadHarness()
        let form = Multipart.image(png)
        var headers = form.headers
        headers[.idempotencyKey] = key
        try await harness.send(headers: headers, body: form.body) { response in
            #expect(response.status == .badRequest)
            let answer = try json(response)
            #expect(answer["error"] == "invalid_idempotency_key")
        }
        #expect(harness.store.keys.isEmpty)
    }
}
