import AWSClient

/// The DynamoDB Streams operations this client offers (`X-Amz-Target: DynamoDBStreams_20120810.*`,
/// endpoint `streams.dynamodb.{region}`, signed as `dynamodb`).
public struct DynamoDBStreamsClient: Sendable {
    public let client: AWSServiceClient

    /// The endpoint key of the streams API (``AWSConfiguration/endpoint(for:)``); its default host
    /// is `streams.dynamodb.{region}.amazonaws.com`.
    public static let endpointKey = "streams.dynamodb"

    /// Streams are signed as DynamoDB is, with its configuration, transport and retries.
    public init(_ dynamo: DynamoDBClient) {
        client = dynamo.client
    }

    func call<Output: Decodable>(_ action: String, _ input: some Encodable, as output: Output.Type) async throws -> Output {
        try await client.callJSON(
            action, targetPrefix: "DynamoDBStreams_20120810", endpoint: client.configuration.endpoint(for: Self.endpointKey), input, as: output
        )
    }

    /// The shards of a stream, every page of them.
    public func shards(streamARN: String) async throws -> [DynamoStreamShard] {
        struct Input: Encodable { var StreamArn: String; var ExclusiveStartShardId: String? }
        struct Description: Decodable { var Shards: [DynamoStreamShard]?; var LastEvaluatedShardId: String? }
        struct Output: Decodable { var StreamDescription: Description }
        var shards: [DynamoStreamShard] = []
        var start: String?
        repeat {
            let page = try await call("DescribeStream", Input(StreamArn: streamARN, ExclusiveStartShardId: start), as: Output.self).StreamDescription
            shards += page.Shards ?? []
            start = page.LastEvaluatedShardId
        } while start != nil
        return shards
    }

    /// Where to start reading a shard.
    public enum IteratorStart: Sendable, Equatable {
        /// The oldest record still kept (24 h).
        case trimHorizon
        /// Only records written from now on.
        case latest
        /// Right after a record already read.
        case after(sequenceNumber: String)
    }

    /// An iterator for reading `shardID` from `start`.
    public func shardIterator(streamARN: String, shardID: String, from start: IteratorStart) async throws -> String {
        struct Input: Encodable { var StreamArn: String; var ShardId: String; var ShardIteratorType: String; var SequenceNumber: String? }
        struct Output: Decodable { var ShardIterator: String }
        let (type, sequence): (String, String?) = switch start {
        case .trimHorizon: ("TRIM_HORIZON", nil)
        case .latest: ("LATEST", nil)
        case .after(let sequenceNumber): ("AFTER_SEQUENCE_NUMBER", sequenceNumber)
        }
        return try await call("GetShardIterator", Input(StreamArn: streamARN, ShardId: shardID, ShardIteratorType: type, SequenceNumber: sequence), as: Output.self).ShardIterator
    }

    /// The next records of a shard and the iterator that follows them; no next iterator means the
    /// shard is closed and read to its end.
    public func records(iterator: String, limit: Int = 1000) async throws -> (records: [DynamoStreamRecord], next: String?) {
        struct Input: Encodable { var ShardIterator: String; var Limit: Int }
        struct Output: Decodable { var Records: [DynamoStreamRecord]?; var NextShardIterator: String? }
        let output = try await call("GetRecords", Input(ShardIterator: iterator, Limit: limit), as: Output.self)
        return (output.Records ?? [], output.NextShardIterator)
    }
}

/// A shard of a stream: open while it has no ending sequence number; a closed shard's records
/// continue in its children (which name it as their parent).
public struct DynamoStreamShard: Sendable, Equatable, Decodable {
    public var shardID: String
    public var parentShardID: String?
    public var startingSequenceNumber: String?
    public var endingSequenceNumber: String?

    public var isOpen: Bool { endingSequenceNumber == nil }

    public init(shardID: String, parentShardID: String? = nil, startingSequenceNumber: String? = nil, endingSequenceNumber: String? = nil) {
        self.shardID = shardID
        self.parentShardID = parentShardID
        self.startingSequenceNumber = startingSequenceNumber
        self.endingSequenceNumber = endingSequenceNumber
    }

    enum CodingKeys: String, CodingKey { case ShardId, ParentShardId, SequenceNumberRange }
    struct Range: Decodable { var StartingSequenceNumber: String?; var EndingSequenceNumber: String? }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        shardID = try container.decode(String.self, forKey: .ShardId)
        parentShardID = try container.decodeIfPresent(String.self, forKey: .ParentShardId)
        let range = try container.decodeIfPresent(Range.self, forKey: .SequenceNumberRange)
        startingSequenceNumber = range?.StartingSequenceNumber
        endingSequenceNumber = range?.EndingSequenceNumber
    }
}

/// One change of an item, as the stream tells it.
public struct DynamoStreamRecord: Sendable, Equatable, Decodable {
    /// `INSERT`, `MODIFY` or `REMOVE`.
    public var eventName: String
    public var sequenceNumber: String
    public var keys: DynamoItem
    public var newImage: DynamoItem?
    public var oldImage: DynamoItem?

    public init(eventName: String, sequenceNumber: String, keys: DynamoItem, newImage: DynamoItem? = nil, oldImage: DynamoItem? = nil) {
        self.eventName = eventName
        self.sequenceNumber = sequenceNumber
        self.keys = keys
        self.newImage = newImage
        self.oldImage = oldImage
    }

    enum CodingKeys: String, CodingKey { case eventName, dynamodb }
    struct Change: Decodable {
        var SequenceNumber: String
        var Keys: DynamoItem?
        var NewImage: DynamoItem?
        var OldImage: DynamoItem?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        eventName = try container.decode(String.self, forKey: .eventName)
        let change = try container.decode(Change.self, forKey: .dynamodb)
        sequenceNumber = change.SequenceNumber
        keys = change.Keys ?? [:]
        newImage = change.NewImage
        oldImage = change.OldImage
    }
}
