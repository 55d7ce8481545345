import Foundation
import Logging
import NIOCore
import PipelineAWS
import PipelineContract
import PipelineTestSupport
import Testing

/// `pipeline-setup reindex`: items rebuilt from the buckets alone, never moving the table back.
@Suite struct ImageReindexerTests {
    let ids = ["aaaaaaaa-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-000000000002", "aaaaaaaa-0000-4000-8000-000000000003"]
    let input = InMemoryObjectStore(name: "image-input")
    let processed = InMemoryObjectStore(name: "image-processed")

    func key(_ id: String) -> String { "\(id)_photo.png" }

    func fillBuckets() async throws {
        for id in ids { try await input.put(key: key(id), body: ByteBuffer(bytes: [1, 2, 3, 4]), contentType: "image/png") }
        try await processed.put(key: "processed_\(key(ids[1]))", body: ByteBuffer(bytes: [9, 9]), contentType: "image/png")
        let marker = try PipelineJSON.encode(FailureMarker(imageID: ids[2], error: "The PNG data is corrupt."))
        try await processed.put(key: "failed_\(key(ids[2])).json", body: ByteBuffer(string: marker), contentType: "application/json")
    }

    func reindexer(_ table: any ImageTable) -> ImageReindexer {
        ImageReindexer(inputBucket: input, processedBucket: processed, table: table, logger: Logger(label: "test"))
    }

    @Test func theBucketsAloneGiveEveryImageItsState() async throws {
        try await fillBuckets()
        let table = InMemoryImageTable()
        #expect(try await reindexer(table).run() == ImageReindexer.Report(images: 3, written: 3, kept: 0))
        #expect(table.items[ids[0]]?.state == .queued && table.items[ids[0]]?.originalSize == 4)
        #expect(table.items[ids[1]]?.state == .processed && table.items[ids[1]]?.processedKey == "processed_\(key(ids[1]))")
        #expect(table.items[ids[2]]?.state == .failed && table.items[ids[2]]?.error == "The PNG data is corrupt.")
        #expect(table.items.values.allSatisfy { $0.owner == ImageOwner.local && $0.notifiedAt == nil })
        // Again: nothing to write.
        #expect(try await reindexer(table).run() == ImageReindexer.Report(images: 3, written: 0, kept: 3))
    }

    /// The name as uploaded comes back from the original's metadata; without it, the key's name.
    @Test func theNameAsUploadedComesFromTheMetadata() async throws {
        try await input.put(
            key: key(ids[0]), body: ByteBuffer(bytes: [1, 2, 3]), contentType: "image/png",
            metadata: ["owner": "ann", "filename": ObjectKeys.metadataValue(displayName: "фото café.png")], ifAbsent: false
        )
        try await input.put(key: key(ids[1]), body: ByteBuffer(bytes: [1, 2, 3]), contentType: "image/png")
        let table = InMemoryImageTable()
        _ = try await reindexer(table).run()
        #expect(table.items[ids[0]]?.filename == "фото café.png" && table.items[ids[0]]?.owner == "ann")
        #expect(table.items[ids[1]]?.filename == "photo.png")
    }

    /// An image the table knows further along (its event came) keeps what the table says.
    @Test func theTableIsNeverMovedBack() async throws {
        try await fillBuckets()
        let table = InMemoryImageTable()
        let event = ImageEvent(imageID: ids[0], originalKey: key(ids[0]), processedKey: "processed_\(key(ids[0]))", status: .processed, owner: "ann")
        _ = try await table.apply(event, at: Date(), expiresAt: nil)
        let report = try await reindexer(table).run()
        #expect(report.kept == 1 && report.written == 2)
        #expect(table.items[ids[0]]?.state == .processed && table.items[ids[0]]?.owner == "ann")
    }
}
