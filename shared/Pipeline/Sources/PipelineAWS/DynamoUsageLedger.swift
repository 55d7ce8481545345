import AWSClient
import AWSDynamoDB
import Foundation
import PipelineContract

/// ``UsageLedger`` in the image table: one item per owner and day, keyed `usage|{day}|{owner}`,
/// with counters `uploads`, `bytes` and `pixels` and an expiry two days after the day, so that
/// counts vanish by themselves. The items have neither `owner` nor `listing`, so no index holds
/// them and no page shows them; the stream's reader skips them by their key.
public struct DynamoUsageLedger: UsageLedger {
    public let dynamo: DynamoDBClient
    public let table: String

    public init(dynamo: DynamoDBClient, table: String) {
        self.dynamo = dynamo
        self.table = table
    }

    public func countUpload(owner: String, on day: UsageDay, pixels: Int, within allowance: DailyAllowance) async throws -> DailyUsage? {
        // An image larger than the whole allowance can never fit: no write to try.
        guard pixels <= allowance.pixels else { return try await usage(owner: owner, on: day) }
        // One conditional ADD: tasks counting at once never let an owner past the allowance.
        let placeholders = DynamoExpressionValues(
            names: ["#u": "uploads", "#b": "bytes", "#p": "pixels", "#e": ImageTableSchema.expiryAttribute],
            values: [
                ":one": .int(1), ":pixels": .int(pixels), ":expires": .int(Self.expiry(of: day)),
                ":maxUploads": .int(allowance.uploads), ":maxBytes": .int(allowance.bytes),
                ":pixelsBefore": .int(allowance.pixels - pixels),
            ]
        )
        let condition = "(attribute_not_exists(#u) OR #u < :maxUploads)"
            + " AND (attribute_not_exists(#b) OR #b < :maxBytes)"
            + " AND (attribute_not_exists(#p) OR #p <= :pixelsBefore)"
        do {
            try await dynamo.updateItem(
                table: table, key: Self.key(owner: owner, day: day), update: "ADD #u :one, #p :pixels SET #e = :expires",
                condition: condition, placeholders: placeholders
            )
            return nil
        } catch {
            guard DynamoDBClient.isConditionFailure(error) else { throw DynamoImageTable.mapped(error) }
        }
        return try await usage(owner: owner, on: day)
    }

    public func countBytes(_ bytes: Int, owner: String, on day: UsageDay) async throws {
        let placeholders = DynamoExpressionValues(
            names: ["#b": "bytes", "#e": ImageTableSchema.expiryAttribute],
            values: [":bytes": .int(bytes), ":expires": .int(Self.expiry(of: day))]
        )
        do {
            try await dynamo.updateItem(
                table: table, key: Self.key(owner: owner, day: day), update: "ADD #b :bytes SET #e = :expires", placeholders: placeholders
            )
        } catch {
            throw DynamoImageTable.mapped(error)
        }
    }

    public func usage(owner: String, on day: UsageDay) async throws -> DailyUsage {
        do {
            let item = try await dynamo.getItem(table: table, key: Self.key(owner: owner, day: day), consistentRead: true) ?? [:]
            return DailyUsage(
                uploads: item["uploads"]?.intValue ?? 0, bytes: item["bytes"]?.intValue ?? 0, pixels: item["pixels"]?.intValue ?? 0
            )
        } catch {
            throw DynamoImageTable.mapped(error)
        }
    }

    public func checkReachable() async throws {
        try await DynamoImageTable(dynamo: dynamo, table: table).checkReachable()
    }

    static func key(owner: String, day: UsageDay) -> DynamoItem {
        [ImageTableSchema.key: .string(ImageTableSchema.usageKeyPrefix + day.text + "|" + owner)]
    }

    /// Two days after the day: long enough for anyone looking at yesterday's counts.
    static func expiry(of day: UsageDay) -> Int {
        Int(day.end.timeIntervalSince1970) + 2 * 86_400
    }
}
