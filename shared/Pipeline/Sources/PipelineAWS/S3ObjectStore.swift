import AWSClient
import AWSS3
import NIOCore
import PipelineContract

/// ``ObjectStore`` on one S3 bucket. AWS's errors stay inside: callers see ``ObjectStoreError``.
public struct S3ObjectStore: ObjectStore {
    public let s3: S3Client
    public let bucket: String

    public init(s3: S3Client, bucket: String) {
        self.s3 = s3
        self.bucket = bucket
    }

    public var name: String { bucket }

    public func put(key: String, body: ByteBuffer, contentType: String, metadata: [String: String]) async throws {
        try await mappingErrors {
            try await s3.putObject(bucket: bucket, key: key, body: body, contentType: contentType, metadata: metadata)
        }
    }

    public func get(key: String, maxBytes: Int) async throws -> StoredObject {
        do {
            let object = try await s3.getObject(bucket: bucket, key: key, maxBytes: maxBytes)
            return StoredObject(
                info: StoredObjectInfo(
                    key: key, size: object.body.readableBytes, eTag: object.head.eTag,
                    lastModified: object.head.lastModified, contentType: object.head.contentType
                ),
                metadata: object.head.metadata,
                body: object.body
            )
        } catch AWSError.service(let error) where error.code == "NoSuchKey" {
            // Only a missing key: a missing bucket (NoSuchBucket) is a configuration fault, not the image's.
            throw ObjectStoreError.notFound(key: key)
        } catch AWSError.responseTooLarge(let limit) {
            throw ObjectStoreError.tooLarge(key: key, limit: limit)
        } catch {
            throw Self.storeError(error)
        }
    }

    public func stream(key: String) async throws -> (info: StoredObjectInfo, body: ObjectBodyStream) {
        do {
            let (head, body) = try await s3.getObjectStream(bucket: bucket, key: key)
            let info = StoredObjectInfo(key: key, size: head.contentLength, eTag: head.eTag, lastModified: head.lastModified, contentType: head.contentType)
            let chunks = body.makeAsyncIterator()
            return (info, ObjectBodyStream {
                do {
                    return try await chunks.nextChunk()
                } catch {
                    throw Self.storeError(error)
                }
            })
        } catch AWSError.service(let error) where error.code == "NoSuchKey" {
            throw ObjectStoreError.notFound(key: key)
        } catch {
            throw Self.storeError(error)
        }
    }

    public func head(key: String) async throws -> StoredObjectInfo? {
        do {
            let head = try await s3.headObject(bucket: bucket, key: key)
            return StoredObjectInfo(key: key, size: head.contentLength, eTag: head.eTag, lastModified: head.lastModified, contentType: head.contentType)
        } catch AWSError.service(let error) where error.statusCode == 404 {
            return nil
        } catch {
            throw Self.storeError(error)
        }
    }

    public func delete(key: String) async throws {
        try await mappingErrors { try await s3.deleteObject(bucket: bucket, key: key) }
    }

    public func list(prefix: String?) async throws -> [StoredObjectInfo] {
        try await mappingErrors {
            try await s3.listAllObjects(bucket: bucket, prefix: prefix).map {
                StoredObjectInfo(key: $0.key, size: $0.size, eTag: $0.eTag, lastModified: $0.lastModified)
            }
        }
    }

    public func checkReachable() async throws {
        try await mappingErrors { try await s3.headBucket(bucket: bucket) }
    }

    /// Runs `body`, turning whatever it throws into an ``ObjectStoreError`` (cancellation stays).
    func mappingErrors<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch {
            throw Self.storeError(error)
        }
    }

    static func storeError(_ error: any Error) -> any Error {
        switch error {
        case is CancellationError, is ObjectStoreError: error
        default: ObjectStoreError.backend(reason: String(describing: error))
        }
    }
}
