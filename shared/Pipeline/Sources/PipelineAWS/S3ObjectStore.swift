import AWSClient
import AWSS3
import Logging
import NIOCore
import PipelineContract

/// ``ObjectStore`` on one S3 bucket. AWS's errors stay inside: callers see ``ObjectStoreError``.
public struct S3ObjectStore: ObjectStore {
    public let s3: S3Client
    public let bucket: String
    /// Bodies up to this size go up as one PutObject; larger ones as a multipart upload in parts
    /// of this size (S3's smallest part is 5 MiB).
    public let partSize: Int

    public init(s3: S3Client, bucket: String, partSize: Int = 5 << 20) {
        self.s3 = s3
        self.bucket = bucket
        self.partSize = max(partSize, 5 << 20)
    }

    public var name: String { bucket }

    public func put(key: String, body: ByteBuffer, contentType: String, metadata: [String: String], ifAbsent: Bool) async throws {
        _ = try await mappingErrors(key: key) {
            try await s3.putObject(bucket: bucket, key: key, body: body, contentType: contentType, metadata: metadata, ifAbsent: ifAbsent)
        }
    }

    public func write(key: String, body: ObjectBodyStream, contentType: String, metadata: [String: String], ifAbsent: Bool) async throws -> Int {
        var part = ByteBuffer()
        part.reserveCapacity(partSize)
        var total = 0
        var upload: (id: String, parts: [(number: Int, eTag: String)])?
        do {
            for try await var chunk in body {
                total += chunk.readableBytes
                while chunk.readableBytes > 0 {
                    var slice = chunk.readSlice(length: min(chunk.readableBytes, partSize - part.readableBytes)) ?? ByteBuffer()
                    part.writeBuffer(&slice)
                    guard part.readableBytes == partSize else { continue }
                    if upload == nil {
                        let id = try await mappingErrors {
                            try await s3.createMultipartUpload(bucket: bucket, key: key, contentType: contentType, metadata: metadata)
                        }
                        upload = (id, [])
                    }
                    if let current = upload {
                        let number = current.parts.count + 1
                        let eTag = try await mappingErrors {
                            try await s3.uploadPart(bucket: bucket, key: key, uploadID: current.id, partNumber: number, body: part)
                        }
                        upload?.parts.append((number, eTag))
                    }
                    part.clear()
                }
            }
            guard let upload else {
                try await put(key: key, body: part, contentType: contentType, metadata: metadata, ifAbsent: ifAbsent)
                return total
            }
            var parts = upload.parts
            if part.readableBytes > 0 {
                let eTag = try await mappingErrors {
                    try await s3.uploadPart(bucket: bucket, key: key, uploadID: upload.id, partNumber: parts.count + 1, body: part)
                }
                parts.append((parts.count + 1, eTag))
            }
            try await mappingErrors(key: key) {
                try await s3.completeMultipartUpload(bucket: bucket, key: key, uploadID: upload.id, parts: parts, ifAbsent: ifAbsent)
            }
            return total
        } catch {
            if let upload { await abandon(key: key, uploadID: upload.id) }
            throw error
        }
    }

    /// Aborts a multipart upload, also when the caller was cancelled (a client that hung up): in a
    /// task of its own, which cancellation does not reach.
    func abandon(key: String, uploadID: String) async {
        await Task {
            do {
                try await s3.abortMultipartUpload(bucket: bucket, key: key, uploadID: uploadID)
            } catch {
                s3.client.logger.error("aborting a multipart upload failed; S3's lifecycle rule must clean it", metadata: [
                    "bucket": .string(bucket), "key": .string(key), "error": .string("\(error)"),
                ])
            }
        }.value
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
            return StoredObjectInfo(
                key: key, size: head.contentLength, eTag: head.eTag, lastModified: head.lastModified, contentType: head.contentType,
                metadata: head.metadata
            )
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

    /// As ``mappingErrors(_:)``, and S3's 412 to a conditional write (`If-None-Match: *`) as
    /// ``ObjectStoreError/alreadyExists(key:)``.
    func mappingErrors<Result>(key: String, _ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch AWSError.service(let error) where error.statusCode == 412 || error.code == "PreconditionFailed" {
            throw ObjectStoreError.alreadyExists(key: key)
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
