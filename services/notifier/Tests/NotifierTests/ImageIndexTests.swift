import Foundation
import PipelineContract
import Testing

@testable import Notifier

@Suite struct ImageIndexTests {
    let id1 = "11111111-1111-4111-8111-111111111111"
    let id2 = "22222222-2222-4222-8222-222222222222"
    let id3 = "33333333-3333-4333-8333-333333333333"

    func processed(_ id: String, _ name: String = "a.png") -> ImageEvent {
        ImageEvent(imageID: id, originalKey: "\(id)_\(name)", processedKey: "processed_\(id)_\(name)", status: .processed, width: 4, height: 3, processedSize: 99)
    }

    func failed(_ id: String, _ name: String = "a.png") -> ImageEvent {
        ImageEvent(imageID: id, originalKey: "\(id)_\(name)", processedKey: "processed_\(id)_\(name)", status: .failed, error: "The file is corrupt.")
    }

    @Test func uploadThenProcessed() async {
        let index = ImageIndex()
        await index.noteUpload(inputKey: "\(id1)_cat.png", size: 10, uploadedAt: Date(timeIntervalSince1970: 100))
        #expect(await index.record(id1)?.state == .queued)
        #expect(await index.record(id1)?.filename == "cat.png")
        await index.apply(processed(id1, "cat.png"))
        let record = await index.record(id1)
        #expect(record?.state == .processed)
        #expect(record?.processedKey == "processed_\(id1)_cat.png")
        #expect(record?.width == 4 && record?.processedSize == 99 && record?.originalSize == 10)
        #expect(await index.lastSequence == 2)
    }

    @Test func duplicatesChangeNothing() async {
        let index = ImageIndex()
        await index.noteUpload(inputKey: "\(id1)_a.png", size: 10, uploadedAt: nil)
        await index.noteUpload(inputKey: "\(id1)_a.png", size: 10, uploadedAt: nil)
        await index.apply(processed(id1))
        await index.apply(processed(id1))
        await index.noteProcessed(inputKey: "\(id1)_a.png", processedSize: 99, at: nil)
        #expect(await index.lastSequence == 2, "only two real changes")
    }

    @Test func outOfOrderEventsNeverGoBack() async {
        let index = ImageIndex()
        await index.apply(processed(id1))
        await index.apply(failed(id1))
        await index.noteUpload(inputKey: "\(id1)_a.png", size: 10, uploadedAt: nil)
        #expect(await index.record(id1)?.state == .processed)
        #expect(await index.record(id1)?.error == nil)
        // A failure can be followed by a success (a redelivery that worked).
        await index.apply(failed(id2))
        #expect(await index.record(id2)?.error == "The file is corrupt.")
        await index.apply(processed(id2))
        #expect(await index.record(id2)?.state == .processed)
        #expect(await index.record(id2)?.error == nil)
    }

    @Test func eventBeforeUploadCreatesTheImage() async {
        let index = ImageIndex()
        await index.apply(failed(id1, "dog.png"))
        #expect(await index.record(id1)?.filename == "dog.png")
        #expect(await index.record(id1)?.state == .failed)
    }

    @Test func newestFirstWithStablePages() async {
        let index = ImageIndex()
        for (offset, id) in [id1, id2, id3].enumerated() {
            await index.noteUpload(inputKey: "\(id)_x.png", size: 1, uploadedAt: Date(timeIntervalSince1970: Double(100 + offset)))
        }
        let first = await index.page(limit: 2, after: nil)
        #expect(first.images.map(\.imageID) == [id3, id2])
        #expect(first.nextCursor == id2)
        let second = await index.page(limit: 2, after: first.nextCursor)
        #expect(second.images.map(\.imageID) == [id1])
        #expect(second.nextCursor == nil)
    }

    @Test func reconnectingSubscribersGetWhatTheyMissed() async {
        let index = ImageIndex()
        await index.noteUpload(inputKey: "\(id1)_a.png", size: 1, uploadedAt: nil)
        let first = await index.subscribe(lastEventID: nil)
        #expect(first.missed.isEmpty && !first.resync)
        await index.apply(processed(id1))
        var iterator = first.stream.makeAsyncIterator()
        let change = await iterator.next()
        #expect(change?.record.state == .processed)
        let id = await index.eventID(IndexChange(sequence: 1, kind: .image, record: ImageRecord(imageID: id1, originalKey: "\(id1)_a.png")))
        let again = await index.subscribe(lastEventID: id)
        #expect(again.missed.map(\.sequence) == [2])
        #expect(!again.resync)
        let stale = await index.subscribe(lastEventID: "otherboot.1")
        #expect(stale.resync)
        await index.unsubscribe(first.id)
        #expect(await iterator.next() == nil, "the stream ends on unsubscribe")
    }

    @Test func queuedImagesWhoseObjectWentAreRemoved() async {
        let index = ImageIndex()
        await index.noteUpload(inputKey: "\(id1)_a.png", size: 1, uploadedAt: nil)
        await index.noteUpload(inputKey: "\(id2)_b.png", size: 1, uploadedAt: nil)
        await index.apply(processed(id2, "b.png"))
        await index.removeQueued(notIn: [])
        #expect(await index.record(id1) == nil)
        #expect(await index.record(id2)?.state == .processed, "processed images stay")
    }

    @Test func aSubscriberThatFallsBehindIsEndedNotSkipped() async {
        let index = ImageIndex()
        let slow = await index.subscribe(lastEventID: nil)
        for n in 0..<4100 {
            await index.noteUpload(inputKey: String(format: "%08d-0000-4000-8000-000000000000_a.png", n), size: 1, uploadedAt: nil)
        }
        var received: [Int] = []
        for await change in slow.stream { received.append(change.sequence) }
        #expect(received == Array(1...received.count), "a gap-free prefix, then the end")
        #expect(received.count < 4100)
        #expect(await index.subscriberCount == 0)
    }
}
