import AWSClient

/// An expression's placeholders: `#name` for attribute names, `:value` for values.
public struct DynamoExpressionValues: Sendable, Equatable {
    public var names: [String: String]
    public var values: DynamoItem

    public init(names: [String: String] = [:], values: DynamoItem = [:]) {
        self.names = names
        self.values = values
    }
}

/// One page of a query: the items and where the next page starts (nil: there is none).
public struct DynamoPage: Sendable, Equatable {
    public var items: [DynamoItem]
    public var lastEvaluatedKey: DynamoItem?

    public init(items: [DynamoItem], lastEvaluatedKey: DynamoItem?) {
        self.items = items
        self.lastEvaluatedKey = lastEvaluatedKey
    }
}

/// What a query asks for: a key condition on a table or one of its indexes, newest or oldest
/// first, a page at a time.
public struct DynamoQuery: Sendable {
    public var table: String
    public var index: String?
    public var keyCondition: String
    public var filter: String?
    public var placeholders: DynamoExpressionValues
    public var ascending: Bool
    public var limit: Int?
    public var startKey: DynamoItem?
    public var consistentRead: Bool

    public init(
        table: String, index: String? = nil, keyCondition: String, filter: String? = nil, placeholders: DynamoExpressionValues,
        ascending: Bool = true, limit: Int? = nil, startKey: DynamoItem? = nil, consistentRead: Bool = false
    ) {
        self.table = table
        self.index = index
        self.keyCondition = keyCondition
        self.filter = filter
        self.placeholders = placeholders
        self.ascending = ascending
        self.limit = limit
        self.startKey = startKey
        self.consistentRead = consistentRead
    }
}

extension DynamoDBClient {
    /// Writes a whole item; with `condition`, only if it holds (else throws
    /// `ConditionalCheckFailedException`, see ``isConditionFailure(_:)``).
    public func putItem(table: String, item: DynamoItem, condition: String? = nil, placeholders: DynamoExpressionValues = .init()) async throws {
        struct Input: Encodable {
            var TableName: String
            var Item: DynamoItem
            var ConditionExpression: String?
            var ExpressionAttributeNames: [String: String]?
            var ExpressionAttributeValues: DynamoItem?
        }
        _ = try await call("PutItem", Input(
            TableName: table, Item: item, ConditionExpression: condition,
            ExpressionAttributeNames: placeholders.names.nilIfEmpty, ExpressionAttributeValues: placeholders.values.nilIfEmpty
        ), as: NoOutput.self)
    }

    /// Changes an item with an update expression (creating it if absent); with `condition`, only if
    /// it holds. Returns the item as it is after the change.
    @discardableResult
    public func updateItem(
        table: String, key: DynamoItem, update: String, condition: String? = nil, placeholders: DynamoExpressionValues
    ) async throws -> DynamoItem {
        struct Input: Encodable {
            var TableName: String
            var Key: DynamoItem
            var UpdateExpression: String
            var ConditionExpression: String?
            var ExpressionAttributeNames: [String: String]?
            var ExpressionAttributeValues: DynamoItem?
            var ReturnValues = "ALL_NEW"
        }
        struct Output: Decodable { var Attributes: DynamoItem? }
        return try await call("UpdateItem", Input(
            TableName: table, Key: key, UpdateExpression: update, ConditionExpression: condition,
            ExpressionAttributeNames: placeholders.names.nilIfEmpty, ExpressionAttributeValues: placeholders.values.nilIfEmpty
        ), as: Output.self).Attributes ?? [:]
    }

    /// The item with this key, or nil.
    public func getItem(table: String, key: DynamoItem, consistentRead: Bool = false) async throws -> DynamoItem? {
        struct Input: Encodable { var TableName: String; var Key: DynamoItem; var ConsistentRead: Bool }
        struct Output: Decodable { var Item: DynamoItem? }
        return try await call("GetItem", Input(TableName: table, Key: key, ConsistentRead: consistentRead), as: Output.self).Item
    }

    public func deleteItem(table: String, key: DynamoItem) async throws {
        struct Input: Encodable { var TableName: String; var Key: DynamoItem }
        _ = try await call("DeleteItem", Input(TableName: table, Key: key), as: NoOutput.self)
    }

    /// One page of a query.
    public func query(_ query: DynamoQuery) async throws -> DynamoPage {
        struct Input: Encodable {
            var TableName: String
            var IndexName: String?
            var KeyConditionExpression: String
            var FilterExpression: String?
            var ExpressionAttributeNames: [String: String]?
            var ExpressionAttributeValues: DynamoItem?
            var ScanIndexForward: Bool
            var Limit: Int?
            var ExclusiveStartKey: DynamoItem?
            var ConsistentRead: Bool?
        }
        struct Output: Decodable { var Items: [DynamoItem]?; var LastEvaluatedKey: DynamoItem? }
        let output = try await call("Query", Input(
            TableName: query.table, IndexName: query.index, KeyConditionExpression: query.keyCondition, FilterExpression: query.filter,
            ExpressionAttributeNames: query.placeholders.names.nilIfEmpty, ExpressionAttributeValues: query.placeholders.values.nilIfEmpty,
            ScanIndexForward: query.ascending, Limit: query.limit, ExclusiveStartKey: query.startKey,
            ConsistentRead: query.consistentRead ? true : nil
        ), as: Output.self)
        return DynamoPage(items: output.Items ?? [], lastEvaluatedKey: output.LastEvaluatedKey)
    }

    /// Puts items with BatchWriteItem, 25 a call. Returns the items DynamoDB did not write
    /// (throttled); the caller sends them again.
    public func batchPut(table: String, items: [DynamoItem]) async throws -> [DynamoItem] {
        struct PutRequest: Codable { var Item: DynamoItem }
        struct WriteRequest: Codable { var PutRequest: PutRequest? }
        struct Input: Encodable { var RequestItems: [String: [WriteRequest]] }
        struct Output: Decodable { var UnprocessedItems: [String: [WriteRequest]]? }
        var unprocessed: [DynamoItem] = []
        for start in stride(from: 0, to: items.count, by: 25) {
            let chunk = items[start..<min(items.count, start + 25)].map { WriteRequest(PutRequest: PutRequest(Item: $0)) }
            let output = try await call("BatchWriteItem", Input(RequestItems: [table: chunk]), as: Output.self)
            unprocessed += (output.UnprocessedItems?[table] ?? []).compactMap { $0.PutRequest?.Item }
        }
        return unprocessed
    }
}

extension Dictionary {
    var nilIfEmpty: Self? { isEmpty ? nil : self }
}
