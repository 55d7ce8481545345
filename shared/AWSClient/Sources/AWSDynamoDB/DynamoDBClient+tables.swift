import AWSClient

/// A table to create: its key, its global secondary indexes, on-demand billing, and a stream.
public struct DynamoTableDefinition: Sendable, Equatable {
    /// A key: partition attribute and optional sort attribute, both strings.
    public struct Key: Sendable, Equatable {
        public var partition: String
        public var sort: String?

        public init(partition: String, sort: String? = nil) {
            self.partition = partition
            self.sort = sort
        }
    }

    /// A global secondary index projecting every attribute.
    public struct Index: Sendable, Equatable {
        public var name: String
        public var key: Key

        public init(name: String, key: Key) {
            self.name = name
            self.key = key
        }
    }

    public var name: String
    public var key: Key
    public var indexes: [Index]
    /// `NEW_IMAGE`, `NEW_AND_OLD_IMAGES`, `KEYS_ONLY`, `OLD_IMAGE`; nil: no stream.
    public var streamView: String?

    public init(name: String, key: Key, indexes: [Index] = [], streamView: String? = nil) {
        self.name = name
        self.key = key
        self.indexes = indexes
        self.streamView = streamView
    }
}

/// What DescribeTable says of a table.
public struct DynamoTableDescription: Sendable, Equatable, Decodable {
    public var TableName: String
    public var TableStatus: String
    public var TableArn: String?
    public var LatestStreamArn: String?
    public var ItemCount: Int?
    public var StreamSpecification: StreamSpecification?
    public var BillingModeSummary: BillingModeSummary?
    public var GlobalSecondaryIndexes: [IndexDescription]?
    public var KeySchema: [KeySchemaElement]?

    public struct StreamSpecification: Sendable, Equatable, Codable {
        public var StreamEnabled: Bool
        public var StreamViewType: String?
    }

    public struct BillingModeSummary: Sendable, Equatable, Decodable {
        public var BillingMode: String?
    }

    public struct IndexDescription: Sendable, Equatable, Decodable {
        public var IndexName: String
        public var KeySchema: [KeySchemaElement]?
        public var IndexStatus: String?
    }

    public struct KeySchemaElement: Sendable, Equatable, Codable {
        public var AttributeName: String
        /// `HASH` (partition) or `RANGE` (sort).
        public var KeyType: String

        public init(AttributeName: String, KeyType: String) {
            self.AttributeName = AttributeName
            self.KeyType = KeyType
        }
    }
}

extension DynamoDBClient {
    /// Creates a table with on-demand billing.
    public func createTable(_ definition: DynamoTableDefinition) async throws {
        typealias KeySchemaElement = DynamoTableDescription.KeySchemaElement
        struct AttributeDefinition: Encodable { var AttributeName: String; var AttributeType = "S" }
        struct AllAttributes: Encodable { var ProjectionType = "ALL" }
        struct GlobalSecondaryIndex: Encodable { var IndexName: String; var KeySchema: [KeySchemaElement]; var Projection = AllAttributes() }
        struct Input: Encodable {
            var TableName: String
            var KeySchema: [KeySchemaElement]
            var AttributeDefinitions: [AttributeDefinition]
            var GlobalSecondaryIndexes: [GlobalSecondaryIndex]?
            var BillingMode = "PAY_PER_REQUEST"
            var StreamSpecification: DynamoTableDescription.StreamSpecification?
        }
        func schema(_ key: DynamoTableDefinition.Key) -> [KeySchemaElement] {
            [KeySchemaElement(AttributeName: key.partition, KeyType: "HASH")] + (key.sort.map { [KeySchemaElement(AttributeName: $0, KeyType: "RANGE")] } ?? [])
        }
        var attributes: [String] = []
        for key in [definition.key] + definition.indexes.map(\.key) {
            for name in [key.partition] + (key.sort.map { [$0] } ?? []) where !attributes.contains(name) { attributes.append(name) }
        }
        _ = try await call("CreateTable", Input(
            TableName: definition.name, KeySchema: schema(definition.key),
            AttributeDefinitions: attributes.map { AttributeDefinition(AttributeName: $0) },
            GlobalSecondaryIndexes: definition.indexes.isEmpty ? nil : definition.indexes.map { GlobalSecondaryIndex(IndexName: $0.name, KeySchema: schema($0.key)) },
            StreamSpecification: definition.streamView.map { .init(StreamEnabled: true, StreamViewType: $0) }
        ), as: NoOutput.self)
    }

    /// The table's description, or nil when there is no such table.
    public func describeTable(_ name: String) async throws -> DynamoTableDescription? {
        struct Input: Encodable { var TableName: String }
        struct Output: Decodable { var Table: DynamoTableDescription }
        do {
            return try await call("DescribeTable", Input(TableName: name), as: Output.self).Table
        } catch let error as AWSError where error.serviceCode == "ResourceNotFoundException" {
            return nil
        }
    }

    public func deleteTable(_ name: String) async throws {
        struct Input: Encodable { var TableName: String }
        _ = try await call("DeleteTable", Input(TableName: name), as: NoOutput.self)
    }

    /// Turns on expiry by the epoch-seconds number in `attribute`.
    public func enableTimeToLive(table: String, attribute: String) async throws {
        struct Specification: Encodable { var Enabled = true; var AttributeName: String }
        struct Input: Encodable { var TableName: String; var TimeToLiveSpecification: Specification }
        _ = try await call("UpdateTimeToLive", Input(TableName: table, TimeToLiveSpecification: Specification(AttributeName: attribute)), as: NoOutput.self)
    }

    /// The attribute items expire by, when expiry is on (`ENABLED` or `ENABLING`).
    public func timeToLiveAttribute(table: String) async throws -> String? {
        struct Input: Encodable { var TableName: String }
        struct Description: Decodable { var TimeToLiveStatus: String?; var AttributeName: String? }
        struct Output: Decodable { var TimeToLiveDescription: Description? }
        let description = try await call("DescribeTimeToLive", Input(TableName: table), as: Output.self).TimeToLiveDescription
        guard let description, ["ENABLED", "ENABLING"].contains(description.TimeToLiveStatus ?? "") else { return nil }
        return description.AttributeName
    }
}
