import AWSClient
import AWSDynamoDB
import Foundation
import Logging
@testable import PipelineAWS
import PipelineContract
import PipelineSettings
import PipelineTestSupport
import Synchronization
import Testing

/// The table's stream as the notifiers follow it.
@Suite(.timeLimit(.minutes(1))) struct DynamoImageChangeFeedTests {
    static func image(_ id: String, _ state: ImageState = .queued) -> DynamoItem {
        [
            "image_id": .string(id), "owner": .string("local"), "original_key": .string("\(id)_a.png"), "state": .string(state.rawValue),
            "uploaded_at": .string("2027-01-15T08:00:00.000Z"),
        ]
    }

    static func record(_ id: String, _ sequence: Int, _ state: ImageState = .queued) -> DynamoStreamRecord {
        DynamoStreamRecord(eventName: "MODIFY", sequenceNumber: String(sequence), keys: ["image_id": .string(id)], newImage: image(id, state))
    }

    /// A stream whose shards and records a test scripts: each shard yields its records one
    /// `records` call at a time and closes (no next iterator) when told to.
    final class ScriptedStream: StreamShardReading {
        struct Shard {
            var shard: DynamoStreamShard
            var records: [DynamoStreamRecord] = []
            var closed = false
        }

        let state = Mutex<(shards: [String: Shard], order: [String], starts: [String: DynamoDBStreamsClient.IteratorStart])>(([:], [], [:]))

        func add(_ shard: DynamoStreamShard, records: [DynamoStreamRecord] = []) {
            state.withLock {
                $0.shards[shard.shardID] = Shard(shard: shard, records: records)
                $0.order.append(shard.shardID)
            }
        }

        func append(_ shardID: String, _ record: DynamoStreamRecord) {
            state.withLock { $0.shards[shardID]?.records.append(record) }
        }

        /// Closes a shard: it ends once its records are read, and is listed as closed.
        func close(_ shardID: String) {
            state.withLock {
                $0.shards[shardID]?.closed = true
                $0.shards[shardID]?.shard.endingSequenceNumber = "999"
            }
        }

        var starts: [String: DynamoDBStreamsClient.IteratorStart] { state.withLock { $0.starts } }

        func streamARN() async throws -> String { "arn:stream" }

        func shards(streamARN: String) async throws -> [DynamoStreamShard] {
            state.withLock { state in state.order.compactMap { state.shards[$0]?.shard } }
        }

        func shardIterator(streamARN: String, shardID: String, from start: DynamoDBStreamsClient.IteratorStart) async throws -> String {
            state.withLock { state in
                state.starts[shardID] = start
                // LATEST skips what is there; TRIM_HORIZON reads it all.
                if start == .latest { state.shards[shardID]?.records.removeAll() }
            }
            return shardID
        }

        func records(iterator: String) async throws -> (records: [DynamoStreamRecord], next: String?) {
            state.withLock { state in
                guard var shard = state.shards[iterator] else { return ([], nil) }
                let records = shard.records
                shard.records = []
                state.shards[iterator] = shard
                return (records, shard.closed && records.isEmpty ? nil : iterator)
            }
        }
    }

    /// Open shards from their latest record; after a split, the children from their first record,
    /// once the parent is read to its end; every change handed on.
    @Test func everyShardIsFollowedIncludingTheChildrenOfASplit() async throws {
        let stream = ScriptedStream()
        stream.add(DynamoStreamShard(shardID: "old", endingSequenceNumber: "5"), records: [Self.record("before", 1)])
        stream.add(DynamoStreamShard(shardID: "a"), records: [Self.record("already-there", 6)])
        let feed = DynamoImageChangeFeed(reader: stream, logger: Logger(label: "test"), pollInterval: .milliseconds(5), shardRescan: .milliseconds(20))
        var changes = feed.changes().makeAsyncIterator()
        while stream.starts["a"] == nil { await Task.yield() }  // reading "a" from its latest record
        stream.append("a", Self.record("one", 7))
        #expect(await changes.next() == .updated(ImageItem(dynamo: Self.image("one"))!))
        #expect(stream.starts == ["a": .latest], "a closed shard's history is not read at start")

        // The split: "a" closes after one more record; its children carry on from their first.
        stream.add(DynamoStreamShard(shardID: "a-1", parentShardID: "a"), records: [Self.record("two", 9)])
        stream.add(DynamoStreamShard(shardID: "a-2", parentShardID: "a"), records: [Self.record("three", 10, .processed)])
        stream.append("a", Self.record("last-of-a", 8))
        stream.close("a")
        var seen: [String] = []
        while seen.count < 3, let change = await changes.next() {
            if case .updated(let item) = change { seen.append(item.imageID) }
        }
        #expect(seen.first == "last-of-a", "the parent's records come before its children's")
        #expect(Set(seen) == ["last-of-a", "two", "three"])
        #expect(stream.starts["a-1"] == .trimHorizon && stream.starts["a-2"] == .trimHorizon)
    }

    @Test func recordsWithoutAWholeImageAreSkippedAndRemovalsPassed() {
        #expect(DynamoImageChangeFeed.change(DynamoStreamRecord(eventName: "INSERT", sequenceNumber: "1", keys: ["image_id": .string("x")], newImage: ["image_id": .string("x")])) == nil)
        #expect(DynamoImageChangeFeed.change(DynamoStreamRecord(eventName: "REMOVE", sequenceNumber: "2", keys: ["image_id": .string("x")])) == .removed(imageID: "x", owner: nil))
        let expired = DynamoStreamRecord(
            eventName: "REMOVE", sequenceNumber: "3", keys: ["image_id": .string("y")], oldImage: ["image_id": .string("y"), "owner": .string("ann")]
        )
        #expect(DynamoImageChangeFeed.change(expired) == .removed(imageID: "y", owner: "ann"))
    }

    /// On the emulator: what is applied to the table comes out of its stream.
    @Test func appliedEventsComeOutOfTheStream() async throws {
        try await TestPipeline.run("itf") { _, _, clients in
            let feed = clients.imageChanges(logger: Logger(label: "test"))
            var changes = feed.changes().makeAsyncIterator()
            // The feed starts at the stream's latest record: write probes until one comes out.
            let probing = Task {
                for index in 0..<100 where !Task.isCancelled {
                    let probe = "probe-\(index)"
                    _ = try await clients.imageTable.apply(ImageEvent(imageID: probe, originalKey: "\(probe)_p.png", status: .queued), at: Date(), expiresAt: nil)
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            _ = await changes.next()
            probing.cancel()
            let id = "11111111-0000-4000-8000-000000000001"
            _ = try await clients.imageTable.apply(
                ImageEvent(imageID: id, originalKey: "\(id)_x.png", status: .queued, size: 5, owner: "ann"), at: Date(), expiresAt: nil
            )
            _ = try await clients.imageTable.apply(ImageEvent(imageID: id, originalKey: "\(id)_x.png", status: .processed), at: Date(), expiresAt: nil)
            var states: [ImageState] = []
            while states.count < 2, let change = await changes.next() {
                if case .updated(let item) = change, item.imageID == id { states.append(item.state) }
            }
            #expect(states == [.queued, .processed])
        }
    }
}
