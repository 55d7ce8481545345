import AWSClient
import AWSDynamoDB
import Foundation
import Logging
import PipelineContract

/// What the feed needs of DynamoDB Streams; the real client, or a scripted one in tests.
public protocol StreamShardReading: Sendable {
    /// The ARN of the table's current stream.
    func streamARN() async throws -> String
    func shards(streamARN: String) async throws -> [DynamoStreamShard]
    func shardIterator(streamARN: String, shardID: String, from start: DynamoDBStreamsClient.IteratorStart) async throws -> String
    func records(iterator: String) async throws -> (records: [DynamoStreamRecord], next: String?)
}

/// The table's stream through the real clients.
public struct DynamoStreamShardReader: StreamShardReading {
    public let dynamo: DynamoDBClient
    public let streams: DynamoDBStreamsClient
    public let table: String

    public init(dynamo: DynamoDBClient, streams: DynamoDBStreamsClient, table: String) {
        self.dynamo = dynamo
        self.streams = streams
        self.table = table
    }

    public struct NoStream: Error, CustomStringConvertible {
        public var table: String
        public var description: String { "table \(table) has no stream (or does not exist)" }
    }

    public func streamARN() async throws -> String {
        guard let arn = try await dynamo.describeTable(table)?.LatestStreamArn else { throw NoStream(table: table) }
        return arn
    }

    public func shards(streamARN: String) async throws -> [DynamoStreamShard] {
        try await streams.shards(streamARN: streamARN)
    }

    public func shardIterator(streamARN: String, shardID: String, from start: DynamoDBStreamsClient.IteratorStart) async throws -> String {
        try await streams.shardIterator(streamARN: streamARN, shardID: shardID, from: start)
    }

    public func records(iterator: String) async throws -> (records: [DynamoStreamRecord], next: String?) {
        try await streams.records(iterator: iterator)
    }
}

/// ``ImageChangeFeed`` on the table's DynamoDB stream: follows every shard that is open when it
/// starts from its latest record, and every shard that opens later (the children of a split, once
/// their parent is read to its end) from its first; polls each every `pollInterval` when idle.
///
/// Failures are retried with backoff, reading on after the last record seen; when records may
/// have been lost (an iterator expired before anything was read, data trimmed), it says `resync`.
public struct DynamoImageChangeFeed: ImageChangeFeed {
    let reader: any StreamShardReading
    let logger: Logger
    /// How long an idle round waits: each replica reads each shard at most twice a second, within
    /// the stream's limit of five reads a second per shard.
    var pollInterval: Duration
    /// How often the shard list is read again even when no shard closed.
    var shardRescan: Duration

    public init(reader: any StreamShardReading, logger: Logger, pollInterval: Duration = .milliseconds(500), shardRescan: Duration = .seconds(60)) {
        self.reader = reader
        self.logger = logger
        self.pollInterval = pollInterval
        self.shardRescan = shardRescan
    }

    public func changes() -> AsyncStream<ImageTableChange> {
        let (stream, continuation) = AsyncStream.makeStream(of: ImageTableChange.self, bufferingPolicy: .bufferingNewest(10_000))
        let task = Task { await follow(continuation) }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// One shard being read.
    struct Cursor {
        var iterator: String
        var lastSequence: String?
    }

    func follow(_ output: AsyncStream<ImageTableChange>.Continuation) async {
        var streamARN: String?
        var reading: [String: Cursor] = [:]
        var done: Set<String> = []
        var started = false
        var rescanAt = ContinuousClock.now
        var failures = 0
        let backoff = RetryPolicy(baseDelay: .milliseconds(250), maxDelay: .seconds(5))
        while !Task.isCancelled {
            do {
                let arn: String
                if let known = streamARN {
                    arn = known
                } else {
                    arn = try await reader.streamARN()
                    streamARN = arn
                }
                if !started || reading.isEmpty || ContinuousClock.now >= rescanAt {
                    try await discover(arn, reading: &reading, done: &done, firstTime: !started)
                    started = true
                    rescanAt = ContinuousClock.now + shardRescan
                }
                var received = 0
                for (shardID, cursor) in reading.sorted(by: { $0.key < $1.key }) {
                    let (records, next) = try await read(arn, shardID, cursor, output)
                    received += records.count
                    var cursor = cursor
                    cursor.lastSequence = records.last?.sequenceNumber ?? cursor.lastSequence
                    if let next {
                        cursor.iterator = next
                        reading[shardID] = cursor
                    } else {
                        // Closed and read to its end: its children continue it.
                        reading[shardID] = nil
                        done.insert(shardID)
                        rescanAt = ContinuousClock.now
                    }
                }
                failures = 0
                if received == 0 { try await Task.sleep(for: pollInterval) }
            } catch is CancellationError {
                break
            } catch {
                let delay = backoff.delay(retry: failures)
                failures += 1
                logger.warning("reading the image table's stream failed; trying again", metadata: [
                    "error": .string("\(error)"), "retry_in": .string("\(delay)"),
                ])
                if (error as? AWSError)?.serviceCode == "ResourceNotFoundException" { streamARN = nil }
                try? await Task.sleep(for: delay)
            }
        }
        output.finish()
    }

    /// Reads a shard's next records and hands their changes on; an expired iterator is replaced,
    /// after the last record seen (or, with none seen, from the latest, saying `resync`).
    func read(
        _ arn: String, _ shardID: String, _ cursor: Cursor, _ output: AsyncStream<ImageTableChange>.Continuation
    ) async throws -> (records: [DynamoStreamRecord], next: String?) {
        var iterator = cursor.iterator
        for attempt in 0..<2 {
            do {
                let (records, next) = try await reader.records(iterator: iterator)
                logger.trace("stream records", metadata: ["shard": .string(shardID), "count": .stringConvertible(records.count)])
                for record in records {
                    if let change = Self.change(record) { output.yield(change) }
                }
                return (records, next)
            } catch let error as AWSError where attempt == 0 && ["ExpiredIteratorException", "TrimmedDataAccessException"].contains(error.serviceCode) {
                if let last = cursor.lastSequence, error.serviceCode == "ExpiredIteratorException" {
                    iterator = try await reader.shardIterator(streamARN: arn, shardID: shardID, from: .after(sequenceNumber: last))
                } else {
                    output.yield(.resync)
                    iterator = try await reader.shardIterator(streamARN: arn, shardID: shardID, from: .latest)
                }
            }
        }
        return ([], iterator)
    }

    /// Starts reading the shards not read yet: at the first look, the open ones from their latest
    /// record (what came before is in the table already); later, any new one from its first,
    /// once its parent is no longer being read.
    func discover(_ arn: String, reading: inout [String: Cursor], done: inout Set<String>, firstTime: Bool) async throws {
        for shard in try await reader.shards(streamARN: arn) where reading[shard.shardID] == nil && !done.contains(shard.shardID) {
            if firstTime {
                guard shard.isOpen else {
                    done.insert(shard.shardID)
                    continue
                }
                reading[shard.shardID] = Cursor(iterator: try await reader.shardIterator(streamARN: arn, shardID: shard.shardID, from: .latest))
            } else {
                if let parent = shard.parentShardID, reading[parent] != nil { continue }
                reading[shard.shardID] = Cursor(iterator: try await reader.shardIterator(streamARN: arn, shardID: shard.shardID, from: .trimHorizon))
            }
        }
    }

    /// The change a record tells, or nil for one without a whole image (moto writes a key-only
    /// INSERT before an update that creates its item) or of a usage count.
    static func change(_ record: DynamoStreamRecord) -> ImageTableChange? {
        // The owners' daily counts live in the same table; their changes are nobody's images.
        if record.keys[ImageAttribute.imageID]?.stringValue?.hasPrefix(ImageTableSchema.usageKeyPrefix) == true { return nil }
        if record.eventName == "REMOVE" {
            let owner = record.oldImage?[ImageAttribute.owner]?.stringValue
            return record.keys[ImageAttribute.imageID]?.stringValue.map { .removed(imageID: $0, owner: owner) }
        }
        return record.newImage.flatMap(ImageItem.init(dynamo:)).map(ImageTableChange.updated)
    }
}
