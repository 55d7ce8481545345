import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
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
        #expect(ids[0] == IdempotencyKey.imageID(for: "client-42/photo-7", owner: "local"))
        #expect(ObjectKeys.isImageID(ids[0]))
        #expect(harness.store.keys == ["\(ids[0])_cat.png"])
        #expect(harness.queue.bodies.count == 1, "the message's deduplication id is the image id")
    }

    @Test func imageIDsOfKeysAreVersion5UUIDsOfOwnerAndKey() {
        let id = IdempotencyKey.imageID(for: "k", owner: "ann")
        #expect(id == IdempotencyKey.imageID(for: "k", owner: "ann"))
        #expect(id != IdempotencyKey.imageID(for: "K", owner: "ann"))
        #expect(id != IdempotencyKey.imageID(for: "k", owner: "bob"), "one owner's key never names another's image")
        #expect(IdempotencyKey.imageID(for: "b", owner: "a") != IdempotencyKey.imageID(for: "", owner: "ab"))
        #expect(Array(id)[14] == "5", "version 5")
        #expect("89ab".contains(Array(id)[19]), "RFC variant")
    }

    @Test func theSameKeyWithOtherBytesOrAnotherNameIsRefusedAndChangesNothing() async throws {
        let harness = try UploadHarness()
        func send(_ bytes: [UInt8], _ name: String, expect status: HTTPResponse.Status, code: String? = nil) async throws {
            let form = Multipart.image(bytes, filename: name)
            var headers = form.headers
            headers[.idempotencyKey] = "reused"
            try await harness.send(headers: headers, body: form.body) { response in
                #expect(response.status == status)
                let answer = try json(response)
                if let code { #expect(answer["error"] == code) }
            }
        }
        try await send(png, "cat.png", expect: .accepted)
        let stored = try #require(harness.store.keys.first)
        let before = try await harness.store.get(key: stored, maxBytes: 1 << 20).body
        try await send(TestPNG.make(width: 5, height: 5), "cat.png", expect: .unprocessableContent, code: "idempotency_key_reused")
        try await send(png, "dog.png", expect: .unprocessableContent, code: "idempotency_key_reused")
        #expect(harness.store.keys == [stored], "nothing stored for a refused reuse")
        #expect(try await harness.store.get(key: stored, maxBytes: 1 << 20).body == before, "the first upload's bytes are untouched")
        #expect(harness.queue.bodies.count == 1)
        try await send(png, "cat.png", expect: .accepted)
    }

    @Test func anOriginalIsNeverOverwritten() async throws {
        let store = InMemoryObjectStore(name: "image-input")
        try await store.put(key: "k", body: ByteBuffer(bytes: [1]), contentType: "image/png")
        await #expect(throws: ObjectStoreError.alreadyExists(key: "k")) {
            try await store.put(key: "k", body: ByteBuffer(bytes: [2]), contentType: "image/png", metadata: [:], ifAbsent: true)
        }
        #expect(try await store.get(key: "k", maxBytes: 8).body == ByteBuffer(bytes: [1]))
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
