import AWSClient
import AWSDynamoDB
import Foundation
import PipelineContract

/// ``ImageTable`` on a DynamoDB table shaped as ``ImageTableSchema`` says. Each event is one
/// conditional UpdateItem, so replicas applying events at once never move a state back; AWS's
/// errors stay inside: callers see ``ImageTableError``.
public struct DynamoImageTable: ImageTable {
    public let dynamo: DynamoDBClient
    public let table: String

    public init(dynamo: DynamoDBClient, table: String) {
        self.dynamo = dynamo
        self.table = table
    }

    public func apply(_ event: ImageEvent, at now: Date, expiresAt: Date?) async throws -> ImageTableWrite? {
        var update = DynamoUpdate()
        let uploadedAt = event.uploadedAt.flatMap(PipelineJSON.date(fromTimestamp:))
        // What every event knows, kept when the item has it already.
        update.setIfAbsent(ImageAttribute.owner, .string(event.owner ?? ImageOwner.local))
        update.setIfAbsent(ImageAttribute.listing, .string(ImageTableSchema.everyone))
        update.setIfAbsent(ImageAttribute.originalKey, .string(event.originalKey))
        // The name as uploaded: the `queued` event's word wins (it is applied once); an outcome
        // brings it too, or the key's reduced name when it does not know it (older events).
        if event.status == .queued, let filename = event.filename {
            update.set(ImageAttribute.filename, .string(filename))
        } else {
            update.setIfAbsent(ImageAttribute.filename, .string(event.filename ?? ObjectKeys.filename(fromInputKey: event.originalKey)))
        }
        update.setIfAbsent(ImageAttribute.expiresAt, expiresAt.map(DynamoValue.epochSeconds))
        update.set(ImageAttribute.updatedAt, .time(now))
        let condition: String
        switch event.status {
        case .queued:
            // Once: the upload's own facts, its time winning over any event that came first.
            update.set(ImageAttribute.queuedApplied, .bool(true))
            update.setIfAbsent(ImageAttribute.state, .string(ImageState.queued.rawValue))
            update.setIfAbsent(ImageAttribute.stateRank, .int(ImageState.queued.rank))
            update.setIfAbsent(ImageAttribute.originalSize, event.size.map(DynamoValue.int))
            if let uploadedAt { update.set(ImageAttribute.uploadedAt, .time(uploadedAt)) } else { update.setIfAbsent(ImageAttribute.uploadedAt, .time(now)) }
            condition = "attribute_not_exists(\(update.name(ImageAttribute.imageID))) OR attribute_not_exists(\(update.name(ImageAttribute.queuedApplied)))"
        case .failed, .processed:
            update.set(ImageAttribute.state, .string(event.status.rawValue))
            update.set(ImageAttribute.stateRank, .int(event.status.rank))
            update.setIfAbsent(ImageAttribute.uploadedAt, .time(uploadedAt ?? now))
            if event.status == .processed {
                update.remove(ImageAttribute.error)
                update.set(ImageAttribute.processedKey, .string(event.processedKey ?? ObjectKeys.processedKey(inputKey: event.originalKey)))
            } else {
                update.set(ImageAttribute.error, .string(event.error ?? "Processing failed."))
            }
            update.set(ImageAttribute.processedSize, ifPresent: event.processedSize.map(DynamoValue.int))
            update.set(ImageAttribute.width, ifPresent: event.width.map(DynamoValue.int))
            update.set(ImageAttribute.height, ifPresent: event.height.map(DynamoValue.int))
            update.set(ImageAttribute.startedAt, ifPresent: event.startedAt.flatMap(PipelineJSON.date(fromTimestamp:)).map(DynamoValue.time))
            update.set(ImageAttribute.finishedAt, ifPresent: event.finishedAt.flatMap(PipelineJSON.date(fromTimestamp:)).map(DynamoValue.time))
            update.set(ImageAttribute.notifiedAt, .time(now))
            // Forward only; the same outcome again only for an item rebuilt from the buckets,
            // which has no notification time yet.
            let rank = update.name(ImageAttribute.stateRank)
            let value = update.value(.int(event.status.rank))
            condition = "attribute_not_exists(\(update.name(ImageAttribute.imageID))) OR \(rank) < \(value) OR (\(rank) = \(value) AND attribute_not_exists(\(update.name(ImageAttribute.notifiedAt))))"
        }
        do {
            let attributes = try await dynamo.updateItem(
                table: table, key: [ImageAttribute.imageID: .string(event.imageID)], update: update.expression, condition: condition,
                placeholders: update.placeholders
            )
            guard let item = ImageItem(dynamo: attributes) else {
                throw ImageTableError.unavailable(reason: "the table answered an item without its attributes")
            }
            return ImageTableWrite(item: item, reachedOutcome: event.status == .queued ? nil : event.status)
        } catch {
            if DynamoDBClient.isConditionFailure(error) { return nil }
            throw Self.mapped(error)
        }
    }

    public func restore(_ item: ImageItem) async throws -> Bool {
        var names = DynamoUpdate()
        let rank = names.name(ImageAttribute.stateRank)
        let condition = "attribute_not_exists(\(names.name(ImageAttribute.imageID))) OR \(rank) < \(names.value(.int(item.state.rank)))"
        do {
            try await dynamo.putItem(table: table, item: item.dynamo, condition: condition, placeholders: names.placeholders)
            return true
        } catch {
            guard DynamoDBClient.isConditionFailure(error) else { throw Self.mapped(error) }
        }
        // Kept as it is, but put in the everyone index if it predates it (an item written before
        // owners has no `listing`): a reindex after the upgrade is how administrators see it.
        var backfill = DynamoUpdate()
        backfill.set(ImageAttribute.listing, .string(ImageTableSchema.everyone))
        let key = backfill.name(ImageAttribute.imageID)
        let listing = backfill.name(ImageAttribute.listing)
        do {
            _ = try await dynamo.updateItem(
                table: table, key: [ImageAttribute.imageID: .string(item.imageID)], update: backfill.expression,
                condition: "attribute_exists(\(key)) AND attribute_not_exists(\(listing))", placeholders: backfill.placeholders
            )
        } catch {
            guard DynamoDBClient.isConditionFailure(error) else { throw Self.mapped(error) }
        }
        return false
    }

    public func item(_ imageID: String) async throws -> ImageItem? {
        do {
            return try await dynamo.getItem(table: table, key: [ImageAttribute.imageID: .string(imageID)]).flatMap(ImageItem.init(dynamo:))
        } catch {
            throw Self.mapped(error)
        }
    }

    public func page(owner: String?, limit: Int, after cursor: String?) async throws -> ImagePage {
        let anchor = try cursor.map { text throws(ImageTableError) in try ImageCursor(parsing: text) }
        // One owner's images from the owner index; everyone's from the index every item is in.
        let (index, partition, value) =
            owner.map { (ImageTableSchema.ownerIndex, ImageAttribute.owner, $0) }
            ?? (ImageTableSchema.everyoneIndex, ImageAttribute.listing, ImageTableSchema.everyone)
        var names = DynamoUpdate()
        let keyCondition = "\(names.name(partition)) = \(names.value(.string(value)))"
        let query = DynamoQuery(
            table: table, index: index, keyCondition: keyCondition, placeholders: names.placeholders,
            ascending: false, limit: limit,
            startKey: anchor.map {
                [ImageAttribute.imageID: .string($0.imageID), partition: .string(value), ImageAttribute.uploadedAt: .string($0.uploadedAt)]
            }
        )
        do {
            let page = try await dynamo.query(query)
            let items = page.items.compactMap(ImageItem.init(dynamo:))
            let next = page.lastEvaluatedKey.flatMap { key -> String? in
                guard let uploadedAt = key[ImageAttribute.uploadedAt]?.stringValue, let imageID = key[ImageAttribute.imageID]?.stringValue else { return nil }
                return ImageCursor(uploadedAt: uploadedAt, imageID: imageID).text
            }
            return ImagePage(items: items, nextCursor: next)
        } catch {
            throw Self.mapped(error)
        }
    }

    public func checkReachable() async throws {
        do {
            guard try await dynamo.describeTable(table) != nil else {
                throw ImageTableError.unavailable(reason: "table \(table) does not exist")
            }
        } catch let error as ImageTableError {
            throw error
        } catch {
            throw Self.mapped(error)
        }
    }

    static func mapped(_ error: any Error) -> ImageTableError {
        if let error = error as? ImageTableError { return error }
        return .unavailable(reason: String(describing: error))
    }
}
