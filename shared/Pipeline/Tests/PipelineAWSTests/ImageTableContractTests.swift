import AWSClient
import AWSDynamoDB
import AWSTestSupport
import Foundation
import Logging
import PipelineAWS
import PipelineContract
import PipelineSettings
import PipelineTestSupport
import Testing

/// The same rules on DynamoDB (the emulator) and on the in-memory fake the services' tests use:
/// states only forward, a repeated or late event changes nothing, pages per owner newest first.
@Suite struct ImageTableContractTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case memory, dynamo
        var testDescription: String { rawValue }
    }

    /// Runs `body` on a fresh table of `kind`; the DynamoDB one is skipped without an emulator.
    func withTable(_ kind: Kind, _ body: (any ImageTable) async throws -> Void) async throws {
        switch kind {
        case .memory:
            try await body(InMemoryImageTable())
        case .dynamo:
            try await TestPipeline.run("itt") { _, _, clients in try await body(clients.imageTable) }
        }
    }

    let id = "0b5e3f8e-0000-4000-8000-000000000001"
    let key = "0b5e3f8e-0000-4000-8000-000000000001_photo.png"
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func event(_ status: ImageState, owner: String? = nil, error: String? = nil) -> ImageEvent {
        ImageEvent(
            imageID: id, originalKey: key, status: status, error: error, width: status == .queued ? nil : 4, height: status == .queued ? nil : 3,
            size: status == .queued ? 120 : nil, processedSize: status == .processed ? 80 : nil,
            uploadedAt: status == .queued ? "2027-01-15T08:00:00.250Z" : nil,
            startedAt: status == .queued ? nil : "2027-01-15T08:00:01.000Z", finishedAt: status == .queued ? nil : "2027-01-15T08:00:01.500Z",
            owner: owner
        )
    }

    /// The name as uploaded: the `queued` event's word wins, even over an outcome that came first
    /// without it; an outcome that knows it sets it when the `queued` event is lost.
    @Test(arguments: Kind.allCases) func theNameAsUploadedComesFromTheEvents(_ kind: Kind) async throws {
        try await withTable(kind) { table in
            var outcomeFirst = event(.processed)
            outcomeFirst.filename = nil
            let early = try #require(try await table.apply(outcomeFirst, at: t0, expiresAt: nil))
            #expect(early.item.filename == "photo.png", "the key's name until the upload's event says otherwise")
            var queued = event(.queued)
            queued.filename = "фото café.png"
            let named = try #require(try await table.apply(queued, at: t0.addingTimeInterval(1), expiresAt: nil))
            #expect(named.item.filename == "фото café.png")
            #expect(try await table.item(id)?.filename == "фото café.png")
        }
        try await withTable(kind) { table in
            var failed = event(.failed, error: "The PNG data is corrupt.")
            failed.filename = "写真.png"
            let item = try #require(try await table.apply(failed, at: t0, expiresAt: nil)).item
            #expect(item.filename == "写真.png", "the processor's event names it when the upload's was lost")
        }
    }

    @Test(arguments: Kind.allCases) func statesOnlyMoveForwardAndRepeatsChangeNothing(_ kind: Kind) async throws {
        try await withTable(kind) { table in
            let queued = try #require(try await table.apply(event(.queued, owner: "ann"), at: t0, expiresAt: nil))
            #expect(queued.reachedOutcome == nil)
            #expect(queued.item.state == .queued && queued.item.owner == "ann" && queued.item.originalSize == 120 && queued.item.filename == "photo.png")
            #expect(queued.item.uploadedAt == PipelineJSON.date(fromTimestamp: "2027-01-15T08:00:00.250Z"))
            #expect(try await table.apply(event(.queued, owner: "ann"), at: t0.addingTimeInterval(1), expiresAt: nil) == nil, "a repeat")

            let failed = try #require(try await table.apply(event(.failed, error: "Not a PNG."), at: t0.addingTimeInterval(2), expiresAt: nil))
            #expect(failed.reachedOutcome == .failed && failed.item.state == .failed && failed.item.error == "Not a PNG.")
            #expect(failed.item.owner == "ann", "an event without an owner keeps the item's")
            #expect(try await table.apply(event(.failed, error: "Again."), at: t0.addingTimeInterval(3), expiresAt: nil) == nil)

            // A redrive's success follows the failure; nothing moves it back.
            let processed = try #require(try await table.apply(event(.processed), at: t0.addingTimeInterval(4), expiresAt: nil))
            #expect(processed.reachedOutcome == .processed && processed.item.error == nil)
            #expect(processed.item.processedKey == "processed_\(key)" && processed.item.processedSize == 80)
            #expect(processed.item.width == 4 && processed.item.height == 3 && processed.item.notifiedAt == t0.addingTimeInterval(4))
            #expect(processed.item.startedAt == PipelineJSON.date(fromTimestamp: "2027-01-15T08:00:01.000Z"))
            #expect(try await table.apply(event(.failed, error: "Late."), at: t0.addingTimeInterval(5), expiresAt: nil) == nil)
            #expect(try await table.apply(event(.processed), at: t0.addingTimeInterval(6), expiresAt: nil) == nil)
            let stored = try #require(try await table.item(id))
            #expect(stored.state == .processed && stored.originalSize == 120 && stored.updatedAt == t0.addingTimeInterval(4))
            #expect(try await table.item("no-such-image") == nil)
        }
    }

    /// The outcome first, then the upload's own event: the state stays, the upload's facts join.
    @Test(arguments: Kind.allCases) func aLateQueuedEventAddsItsFactsOnly(_ kind: Kind) async throws {
        try await withTable(kind) { table in
            let expires = t0.addingTimeInterval(86_400 * 30)
            let processed = try #require(try await table.apply(event(.processed), at: t0, expiresAt: expires))
            #expect(processed.item.owner == ImageOwner.local && processed.item.uploadedAt == t0 && processed.item.expiresAt == expires)
            let queued = try #require(try await table.apply(event(.queued), at: t0.addingTimeInterval(1), expiresAt: nil))
            #expect(queued.item.state == .processed && queued.item.originalSize == 120)
            #expect(queued.item.uploadedAt == PipelineJSON.date(fromTimestamp: "2027-01-15T08:00:00.250Z"), "the upload's time wins")
            #expect(queued.item.expiresAt == expires)
        }
    }

    /// `pipeline-setup reindex`: an item from the buckets is written unless the table knows the
    /// image as far along; its outcome's event still sets the times it lacks.
    @Test(arguments: Kind.allCases) func restoredItemsNeverOverwriteNewerOnes(_ kind: Kind) async throws {
        try await withTable(kind) { table in
            var rebuilt = ImageItem(imageID: id, originalKey: key, state: .processed, uploadedAt: t0)
            rebuilt.processedKey = "processed_\(key)"
            #expect(try await table.restore(rebuilt))
            #expect(try await !table.restore(rebuilt), "already as far")
            let write = try #require(try await table.apply(event(.processed), at: t0.addingTimeInterval(9), expiresAt: nil))
            #expect(write.reachedOutcome == .processed && write.item.notifiedAt == t0.addingTimeInterval(9))
            var older = rebuilt
            older.state = .queued
            #expect(try await !table.restore(older))
            #expect(try await table.item(id)?.state == .processed)
        }
    }

    @Test(arguments: Kind.allCases) func pagesAreEachOwnersNewestFirst(_ kind: Kind) async throws {
        try await withTable(kind) { table in
            var ids: [String] = []
            for index in 0..<5 {
                let imageID = String(format: "00000000-0000-4000-8000-%012d", index)
                ids.append(imageID)
                let uploaded = PipelineJSON.timestamp(t0.addingTimeInterval(Double(index)))
                for owner in ["ann", "bob"] where owner == "ann" || index == 0 {
                    let ownID = owner == "ann" ? imageID : "b-\(imageID)"
                    let queued = ImageEvent(imageID: ownID, originalKey: "\(ownID)_p.png", status: .queued, size: 1, uploadedAt: uploaded, owner: owner)
                    _ = try await table.apply(queued, at: t0, expiresAt: nil)
                }
            }
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let page = try await table.page(owner: "ann", limit: 2, after: cursor)
                seen += page.items.map(\.imageID)
                #expect(page.items.allSatisfy { $0.owner == "ann" })
                cursor = page.nextCursor
                pages += 1
            } while cursor != nil && pages < 10
            #expect(seen == ids.reversed())
            #expect(try await table.page(owner: "bob", limit: 10, after: nil).items.map(\.imageID) == ["b-\(ids[0])"])
            #expect(try await table.page(owner: "nobody", limit: 10, after: nil) == ImagePage(items: [], nextCursor: nil))
            // Everyone's images (what administrators see), newest first, a page at a time.
            var everyone: [String] = []
            cursor = nil
            repeat {
                let page = try await table.page(owner: nil, limit: 4, after: cursor)
                everyone += page.items.map(\.imageID)
                cursor = page.nextCursor
            } while cursor != nil && everyone.count < 20
            #expect(everyone == ids.reversed().dropLast() + ["b-\(ids[0])", ids[0]])
            await #expect(throws: ImageTableError.invalidCursor) { _ = try await table.page(owner: "ann", limit: 2, after: "not a cursor") }
            try await table.checkReachable()
        }
    }

    /// An item from before the everyone index (no `listing`) joins it when a reindex meets it, and
    /// is otherwise kept as it is.
    @Test func aReindexPutsAnOlderItemInTheEveryoneIndex() async throws {
        try await TestPipeline.run("itb") { _, configuration, clients in
            let table = try #require(clients.imageTable as? DynamoImageTable)
            _ = try await table.apply(event(.queued, owner: "ann"), at: t0, expiresAt: nil)
            _ = try await table.apply(event(.processed), at: t0, expiresAt: nil)
            var older = DynamoUpdate()
            older.remove("listing")
            _ = try await table.dynamo.updateItem(
                table: configuration.imageTable, key: ["image_id": .string(id)], update: older.expression, placeholders: older.placeholders
            )
            #expect(try await table.page(owner: nil, limit: 10, after: nil).items.isEmpty, "not in the everyone index yet")
            let rebuilt = ImageItem(imageID: id, owner: "ann", originalKey: key, state: .queued, uploadedAt: t0)
            #expect(try await table.restore(rebuilt) == false, "the table knows it further along")
            let listed = try await table.page(owner: nil, limit: 10, after: nil).items
            #expect(listed.map(\.imageID) == [id] && listed.first?.state == .processed)
        }
    }
}
