import AWSClient
import AWSDynamoDB
import AWSSigV4
import AWSTestSupport
import Logging
import Testing

/// DynamoDB and its stream against the emulator, with signatures checked for real.
@Suite struct DynamoDBIntegrationTests {
    func clients(_ context: IntegrationContext) -> (DynamoDBClient, DynamoDBStreamsClient) {
        let dynamo = DynamoDBClient(configuration: context.configuration, transport: context.transport, logger: Logger(label: "test.dynamodb"))
        return (dynamo, DynamoDBStreamsClient(dynamo))
    }

    func table(_ dynamo: DynamoDBClient) async throws -> String {
        let name = "it-table-\(Emulator.uniqueSuffix())"
        try await dynamo.createTable(DynamoTableDefinition(
            name: name, key: .init(partition: "id"), indexes: [.init(name: "by-owner", key: .init(partition: "owner", sort: "at"))],
            streamView: "NEW_IMAGE"
        ))
        return name
    }

    @Test(arguments: TransportKind.allCases) func conditionalWritesQueriesAndTheStream(_ kind: TransportKind) async throws {
        try await IntegrationContext.run(kind) { context in
            let (dynamo, streams) = clients(context)
            let name = try await table(dynamo)
            defer { Task { try? await dynamo.deleteTable(name) } }
            let description = try #require(try await dynamo.describeTable(name))
            #expect(description.StreamSpecification?.StreamViewType == "NEW_IMAGE")
            #expect(description.GlobalSecondaryIndexes?.map(\.IndexName) == ["by-owner"])
            let streamARN = try #require(description.LatestStreamArn)
            #expect(try await dynamo.describeTable("it-no-such-\(Emulator.uniqueSuffix())") == nil)

            // A rank that only goes up: the second write with a lower rank is refused.
            let forward = "attribute_not_exists(id) OR #r < :r"
            for (id, at) in [("a", "2026-01-01"), ("b", "2026-01-02"), ("c", "2026-01-03")] {
                try await dynamo.updateItem(
                    table: name, key: ["id": .string(id)], update: "SET #r = :r, #o = :o, #at = :at", condition: forward,
                    placeholders: .init(names: ["#r": "rank", "#o": "owner", "#at": "at"], values: [":r": .int(1), ":o": .string("me"), ":at": .string(at)])
                )
            }
            let raised = try await dynamo.updateItem(
                table: name, key: ["id": .string("a")], update: "SET #r = :r", condition: forward,
                placeholders: .init(names: ["#r": "rank"], values: [":r": .int(2)])
            )
            #expect(raised["rank"] == .int(2) && raised["owner"] == .string("me"))
            await #expect {
                try await dynamo.updateItem(
                    table: name, key: ["id": .string("a")], update: "SET #r = :r", condition: forward,
                    placeholders: .init(names: ["#r": "rank"], values: [":r": .int(1)])
                )
            } throws: { DynamoDBClient.isConditionFailure($0) }
            #expect(try await dynamo.getItem(table: name, key: ["id": .string("a")], consistentRead: true)?["rank"] == .int(2))

            // Newest first, a page of two, then the rest from the last key.
            let query = DynamoQuery(
                table: name, index: "by-owner", keyCondition: "#o = :o",
                placeholders: .init(names: ["#o": "owner"], values: [":o": .string("me")]), ascending: false, limit: 2
            )
            let first = try await dynamo.query(query)
            #expect(first.items.compactMap { $0["id"]?.stringValue } == ["c", "b"])
            let startKey = try #require(first.lastEvaluatedKey)
            var next = query
            next.startKey = startKey
            #expect(try await dynamo.query(next).items.compactMap { $0["id"]?.stringValue } == ["a"])

            #expect(try await dynamo.batchPut(table: name, items: (0..<30).map { ["id": .string("bulk-\($0)"), "owner": .string("bulk"), "at": .string("x")] }).isEmpty)

            // The stream has every change, in order per item. (moto also records a key-only INSERT
            // before an UpdateItem that creates its item: readers skip images without attributes.)
            var changes: [(name: String, id: String?)] = []
            for shard in try await streams.shards(streamARN: streamARN) {
                var iterator: String? = try await streams.shardIterator(streamARN: streamARN, shardID: shard.shardID, from: .trimHorizon)
                while let current = iterator {
                    let (records, following) = try await streams.records(iterator: current)
                    changes += records.filter { ($0.newImage?.count ?? 0) > 1 }.map { ($0.eventName, $0.newImage?["id"]?.stringValue) }
                    iterator = records.isEmpty ? nil : following
                }
            }
            #expect(changes.filter { $0.id == "a" }.map(\.name) == ["INSERT", "MODIFY"], "the refused write left no record")
            #expect(changes.count == 34)
        }
    }

    /// A wrong secret key is refused: the emulator checks DynamoDB's signatures too.
    @Test func aWrongKeyIsRefused() async throws {
        guard var configuration = try Emulator.configuration() else { return }
        configuration.credentials = AWSCredentials(accessKeyID: configuration.credentials.accessKeyID, secretAccessKey: "wrong")
        configuration.retry = .none
        let transport = TransportKind.nio.make()
        defer { Task { try? await transport.shutdown() } }
        let dynamo = DynamoDBClient(configuration: configuration, transport: transport)
        await #expect {
            _ = try await dynamo.describeTable("anything")
        } throws: { error in
            ["InvalidSignatureException", "UnrecognizedClientException", "SignatureDoesNotMatch"].contains((error as? AWSError)?.serviceCode ?? "")
        }
    }
}
