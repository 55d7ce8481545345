import AWSDynamoDB

/// The image table's shape, as `pipeline-setup` creates it and the AWS template declares it: one
/// item per image keyed by `image_id`, an index of each owner's images by upload time, a stream
/// and one of every owner's images by upload time (what administrators page through), a stream
/// of new images, expiry by `expires_at`.
public enum ImageTableSchema {
    public static let key = "image_id"
    /// The index the pages are read from: partition `owner`, sort `uploaded_at` (ISO 8601 text).
    public static let ownerIndex = "owner-uploaded"
    public static let ownerAttribute = "owner"
    public static let uploadedAttribute = "uploaded_at"
    /// The index of every owner's images (administrators' pages): partition `listing`, which every
    /// item has with the one value ``everyone``, sort `uploaded_at`.
    public static let everyoneIndex = "everyone-uploaded"
    public static let listingAttribute = "listing"
    public static let everyone = "all"
    /// Epoch seconds after which DynamoDB deletes the item (RETENTION_DAYS).
    public static let expiryAttribute = "expires_at"
    /// The stream carries each item as it is after a change, and before (so that an expired
    /// item's removal names its owner, and goes to that owner's pages only).
    public static let streamView = "NEW_AND_OLD_IMAGES"
    /// The keys of the owners' daily upload counts (``DynamoUsageLedger``), which share the table
    /// but are no images: `usage|{day}|{owner}` never parses as an image id.
    public static let usageKeyPrefix = "usage|"

    public static func definition(table: String) -> DynamoTableDefinition {
        DynamoTableDefinition(
            name: table, key: .init(partition: key),
            indexes: [
                .init(name: ownerIndex, key: .init(partition: ownerAttribute, sort: uploadedAttribute)),
                .init(name: everyoneIndex, key: .init(partition: listingAttribute, sort: uploadedAttribute)),
            ],
            streamView: streamView
        )
    }
}
