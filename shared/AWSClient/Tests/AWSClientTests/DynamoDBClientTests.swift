import AWSClient
import AWSDynamoDB
import AWSSigV4
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// The DynamoDB and Streams clients' requests and answers on the JSON protocol.
@Suite struct DynamoDBClientTests {
    let configuration = AWSConfiguration(
        region: "eu-west-1", credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret"),
        endpoint: AWSEndpoint(scheme: "http", host: "h")
    )

    func json(_ request: AWSHTTPRequest) throws -> [String: Any] {
        let data = Data(request.body?.readableBytesView ?? ByteBuffer().readableBytesView)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func attributeValuesRoundTripEveryType() throws {
        let item: DynamoItem = [
            "s": .string("café"), "n": .number("-12.50"), "b": .binary(Data([0, 255])), "t": .bool(true), "z": .null,
            "m": .map(["k": .int(1)]), "l": .list([.string("a"), .int(2)]), "ss": .stringSet(["x", "y"]), "ns": .numberSet(["1"]),
        ]
        let data = try JSONEncoder().encode(item)
        #expect(try JSONDecoder().decode(DynamoItem.self, from: data) == item)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""n":{"N":"-12.50"}"#) && text.contains(#""z":{"NULL":true}"#) && text.contains(#""b":{"B":"AP8="}"#))
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(DynamoValue.self, from: Data(#"{"S":"a","N":"1"}"#.utf8)) }
        #expect(DynamoValue.int(7).intValue == 7 && DynamoValue.string("a").stringValue == "a")
    }

    @Test func aConditionalUpdateSendsItsExpressionsAndReadsTheNewItem() async throws {
        let transport = FakeTransport([FakeTransport.ok(#"{"Attributes":{"id":{"S":"a"},"rank":{"N":"2"}}}"#)])
        let dynamo = DynamoDBClient(configuration: configuration, transport: transport)
        let item = try await dynamo.updateItem(
            table: "images", key: ["id": .string("a")], update: "SET #r = :r", condition: "attribute_not_exists(id) OR #r < :r",
            placeholders: DynamoExpressionValues(names: ["#r": "rank"], values: [":r": .int(2)])
        )
        #expect(item["rank"] == .int(2))
        let request = try #require(transport.requests.first)
        #expect(request.headers.first(name: "X-Amz-Target") == "DynamoDB_20120810.UpdateItem")
        #expect(request.headers.first(name: "Content-Type") == "application/x-amz-json-1.0")
        #expect(request.headers.first(name: "Authorization")?.contains("/eu-west-1/dynamodb/aws4_request") == true)
        let body = try json(request)
        #expect(body["ConditionExpression"] as? String == "attribute_not_exists(id) OR #r < :r")
        #expect(body["ReturnValues"] as? String == "ALL_NEW")
        #expect((body["ExpressionAttributeValues"] as? [String: Any])?[":r"] as? [String: String] == ["N": "2"])
    }

    @Test func aFailedConditionIsRecognisedAndNotRetried() async throws {
        let transport = FakeTransport([FakeTransport.ok(
            #"{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}"#, status: 400
        )])
        let dynamo = DynamoDBClient(configuration: configuration, transport: transport)
        await #expect {
            try await dynamo.putItem(table: "t", item: ["id": .string("a")], condition: "attribute_not_exists(id)")
        } throws: { error in
            DynamoDBClient.isConditionFailure(error)
        }
        #expect(transport.requests.count == 1)
    }

    @Test func throttlingIsRetried() async throws {
        let transport = FakeTransport([
            FakeTransport.ok(#"{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}"#, status: 400),
            FakeTransport.ok(#"{"Item":{"id":{"S":"a"}}}"#),
        ])
        let dynamo = DynamoDBClient(configuration: configuration, transport: transport, sleep: { _ in })
        #expect(try await dynamo.getItem(table: "t", key: ["id": .string("a")]) == ["id": .string("a")])
        #expect(transport.requests.count == 2)
    }

    @Test func aQueryPageCarriesItsStartKeyAndReturnsTheNext() async throws {
        let transport = FakeTransport([FakeTransport.ok(#"{"Items":[{"id":{"S":"b"}}],"LastEvaluatedKey":{"id":{"S":"b"}},"Count":1}"#)])
        let dynamo = DynamoDBClient(configuration: configuration, transport: transport)
        let page = try await dynamo.query(DynamoQuery(
            table: "t", index: "by-owner", keyCondition: "#o = :o", placeholders: .init(names: ["#o": "owner"], values: [":o": .string("local")]),
            ascending: false, limit: 1, startKey: ["id": .string("a")]
        ))
        #expect(page == DynamoPage(items: [["id": .string("b")]], lastEvaluatedKey: ["id": .string("b")]))
        let body = try json(try #require(transport.requests.first))
        #expect(body["IndexName"] as? String == "by-owner" && body["ScanIndexForward"] as? Bool == false && body["Limit"] as? Int == 1)
        #expect((body["ExclusiveStartKey"] as? [String: Any])?["id"] as? [String: String] == ["S": "a"])
    }

    @Test func batchPutSendsTwentyFiveACallAndReturnsWhatWasNotWritten() async throws {
        let transport = FakeTransport([
            FakeTransport.ok(#"{"UnprocessedItems":{"t":[{"PutRequest":{"Item":{"id":{"S":"7"}}}}]}}"#),
            FakeTransport.ok(#"{"UnprocessedItems":{}}"#),
        ])
        let dynamo = DynamoDBClient(configuration: configuration, transport: transport)
        let unprocessed = try await dynamo.batchPut(table: "t", items: (0..<30).map { ["id": .string("\($0)")] })
        #expect(unprocessed == [["id": .string("7")]])
        let sizes = try transport.requests.map { ((try json($0)["RequestItems"] as? [String: Any])?["t"] as? [Any])?.count }
        #expect(sizes == [25, 5])
    }

    @Test func theStreamsAPIHasItsOwnHostAndReadsShardsAndRecords() async throws {
        let transport = FakeTransport([
            FakeTransport.ok(#"{"StreamDescription":{"Shards":[{"ShardId":"s1","SequenceNumberRange":{"StartingSequenceNumber":"1","EndingSequenceNumber":"9"}}],"LastEvaluatedShardId":"s1"}}"#),
            FakeTransport.ok(#"{"StreamDescription":{"Shards":[{"ShardId":"s2","ParentShardId":"s1","SequenceNumberRange":{"StartingSequenceNumber":"10"}}]}}"#),
            FakeTransport.ok(#"{"ShardIterator":"it-1"}"#),
            FakeTransport.ok(#"{"Records":[{"eventName":"MODIFY","dynamodb":{"SequenceNumber":"11","Keys":{"id":{"S":"a"}},"NewImage":{"id":{"S":"a"},"state":{"S":"processed"}}}}],"NextShardIterator":"it-2"}"#),
        ])
        let real = AWSConfiguration(region: "eu-west-1", credentials: configuration.credentials)
        let streams = DynamoDBStreamsClient(DynamoDBClient(configuration: real, transport: transport))
        let shards = try await streams.shards(streamARN: "arn:stream")
        #expect(shards.map(\.shardID) == ["s1", "s2"] && !shards[0].isOpen && shards[1].isOpen && shards[1].parentShardID == "s1")
        let iterator = try await streams.shardIterator(streamARN: "arn:stream", shardID: "s2", from: .after(sequenceNumber: "10"))
        let (records, next) = try await streams.records(iterator: iterator)
        #expect(next == "it-2")
        #expect(records == [DynamoStreamRecord(
            eventName: "MODIFY", sequenceNumber: "11", keys: ["id": .string("a")], newImage: ["id": .string("a"), "state": .string("processed")]
        )])
        #expect(transport.requests[0].url.hasPrefix("https://streams.dynamodb.eu-west-1.amazonaws.com/"))
        #expect(transport.requests[0].headers.first(name: "X-Amz-Target") == "DynamoDBStreams_20120810.DescribeStream")
        #expect(try json(transport.requests[1])["ExclusiveStartShardId"] as? String == "s1")
        #expect(try json(transport.requests[2])["ShardIteratorType"] as? String == "AFTER_SEQUENCE_NUMBER")
    }
}

@Suite struct DynamoUpdateTests {
    @Test func everyNameAndValueGetsAPlaceholder() {
        var update = DynamoUpdate()
        update.set("state", .string("processed"))
        update.setIfAbsent("owner", .string("local"))
        update.setIfAbsent("size", nil)
        update.set("width", ifPresent: nil)
        update.remove("error")
        let condition = "attribute_not_exists(\(update.name("image_id"))) OR \(update.name("state_rank")) < \(update.value(.int(2)))"
        #expect(update.expression == "SET #state = :v0, #owner = if_not_exists(#owner, :v1) REMOVE #error")
        #expect(condition == "attribute_not_exists(#image_id) OR #state_rank < :v2")
        #expect(update.placeholders.names == ["#state": "state", "#owner": "owner", "#error": "error", "#image_id": "image_id", "#state_rank": "state_rank"])
        #expect(update.placeholders.values == [":v0": .string("processed"), ":v1": .string("local"), ":v2": .int(2)])
    }
}
