import AWSDynamoDB
import Foundation
import PipelineContract

/// The table's attribute names (snake_case, as the JSON API's).
enum ImageAttribute {
    static let imageID = ImageTableSchema.key
    static let owner = ImageTableSchema.ownerAttribute
    static let listing = ImageTableSchema.listingAttribute
    static let filename = "filename"
    static let originalKey = "original_key"
    static let processedKey = "processed_key"
    static let state = "state"
    /// The state's order (0 queued, 1 failed, 2 processed), compared in write conditions.
    static let stateRank = "state_rank"
    static let error = "error"
    static let originalSize = "original_size"
    static let processedSize = "processed_size"
    static let width = "width"
    static let height = "height"
    static let uploadedAt = ImageTableSchema.uploadedAttribute
    static let startedAt = "started_at"
    static let finishedAt = "finished_at"
    static let notifiedAt = "notified_at"
    static let updatedAt = "updated_at"
    static let expiresAt = ImageTableSchema.expiryAttribute
    /// Set once the `queued` event was applied (it adds its facts once).
    static let queuedApplied = "queued_applied"
}

extension DynamoValue {
    static func time(_ date: Date) -> DynamoValue { .string(PipelineJSON.timestamp(date)) }
    static func epochSeconds(_ date: Date) -> DynamoValue { .int(Int(date.timeIntervalSince1970)) }

    var dateValue: Date? { stringValue.flatMap(PipelineJSON.date(fromTimestamp:)) }
}

extension ImageItem {
    /// Reads an item; nil when it lacks what every image has (e.g. a key-only stream record).
    init?(dynamo item: DynamoItem) {
        guard let imageID = item[ImageAttribute.imageID]?.stringValue, let owner = item[ImageAttribute.owner]?.stringValue,
            let originalKey = item[ImageAttribute.originalKey]?.stringValue,
            let state = item[ImageAttribute.state]?.stringValue.flatMap(ImageState.init(rawValue:)),
            let uploadedAt = item[ImageAttribute.uploadedAt]?.dateValue
        else { return nil }
        self.init(
            imageID: imageID, owner: owner, originalKey: originalKey, state: state, uploadedAt: uploadedAt,
            updatedAt: item[ImageAttribute.updatedAt]?.dateValue
        )
        filename = item[ImageAttribute.filename]?.stringValue ?? filename
        processedKey = item[ImageAttribute.processedKey]?.stringValue
        error = item[ImageAttribute.error]?.stringValue
        originalSize = item[ImageAttribute.originalSize]?.intValue
        processedSize = item[ImageAttribute.processedSize]?.intValue
        width = item[ImageAttribute.width]?.intValue
        height = item[ImageAttribute.height]?.intValue
        startedAt = item[ImageAttribute.startedAt]?.dateValue
        finishedAt = item[ImageAttribute.finishedAt]?.dateValue
        notifiedAt = item[ImageAttribute.notifiedAt]?.dateValue
        expiresAt = item[ImageAttribute.expiresAt]?.intValue.map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    /// The whole item, as `restore` writes it.
    var dynamo: DynamoItem {
        var item: DynamoItem = [
            ImageAttribute.imageID: .string(imageID), ImageAttribute.owner: .string(owner),
            ImageAttribute.listing: .string(ImageTableSchema.everyone), ImageAttribute.filename: .string(filename),
            ImageAttribute.originalKey: .string(originalKey), ImageAttribute.state: .string(state.rawValue),
            ImageAttribute.stateRank: .int(state.rank), ImageAttribute.uploadedAt: .time(uploadedAt), ImageAttribute.updatedAt: .time(updatedAt),
        ]
        item[ImageAttribute.processedKey] = processedKey.map(DynamoValue.string)
        item[ImageAttribute.error] = error.map(DynamoValue.string)
        item[ImageAttribute.originalSize] = originalSize.map(DynamoValue.int)
        item[ImageAttribute.processedSize] = processedSize.map(DynamoValue.int)
        item[ImageAttribute.width] = width.map(DynamoValue.int)
        item[ImageAttribute.height] = height.map(DynamoValue.int)
        item[ImageAttribute.startedAt] = startedAt.map(DynamoValue.time)
        item[ImageAttribute.finishedAt] = finishedAt.map(DynamoValue.time)
        item[ImageAttribute.notifiedAt] = notifiedAt.map(DynamoValue.time)
        item[ImageAttribute.expiresAt] = expiresAt.map(DynamoValue.epochSeconds)
        return item
    }
}
