import AWSDynamoDB

/// The image table's shape, as `pipeline-setup` creates it and the AWS template declares it: one
/// item per image keyed by `image_id`, an index of each owner's images by upload time, a stream
/// of new images, expiry by `expires_at`.
public enum ImageTableSchema {
    public static let key = "image_id"
    /// The index the pages are read from: partition `owner`, sort `uploaded_at` (ISO 8601 text).
    public static let ownerIndex = "owner-uploaded"
    public static let ownerAttribute = "owner"
    public static let uploadedAttribute = "uploaded_at"
    /// Epoch seconds after which DynamoDB deletes the item (RETENTION_DAYS).
    public static let expiryAttribute = "expires_at"
    /// The stream carries each item as it is after a change.
    public static let streamView = "NEW_IMAGE"

    public static func definition(table: String) -> DynamoTableDefinition {
        DynamoTableDefinition(
            name: table, key: .init(partition: key),
            indexes: [.init(name: ownerIndex, key: .init(partition: ownerAttribute, sort: uploadedAttribute))],
            streamView: streamView
        )
    }
}
