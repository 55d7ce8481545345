import AWSClient
import Foundation
import NIOCore
import NIOHTTP1

/// One entry of a listing.
public struct S3ObjectSummary: Sendable, Equatable {
    public var key: String
    public var size: Int
    public var eTag: String?
    public var lastModified: Date?
}

/// One page of ListObjectsV2.
public struct S3ListPage: Sendable, Equatable {
    public var objects: [S3ObjectSummary]
    /// Pass this to the next call to get the next page; nil on the last page.
    public var nextContinuationToken: String?
}

extension S3Client {
    /// One page of the bucket's keys under `prefix`, in key order.
    public func listObjectsV2(
        bucket: String, prefix: String? = nil, continuationToken: String? = nil, maxKeys: Int? = nil
    ) async throws -> S3ListPage {
        let query = Self.query([
            ("continuation-token", continuationToken), ("list-type", "2"),
            ("max-keys", maxKeys.map(String.init)), ("prefix", prefix),
        ])
        let response = try await call("ListObjectsV2", .GET, bucket: bucket, query: query)
        let root: XMLNode
        do {
            root = try XMLNode.parse(response.body.readableBytesView)
        } catch {
            throw AWSError.invalidResponse("ListObjectsV2: \(error)")
        }
        let objects = root.children("Contents").compactMap { entry -> S3ObjectSummary? in
            guard let key = entry.childText("Key") else { return nil }
            return S3ObjectSummary(
                key: key,
                size: entry.childText("Size").flatMap(Int.init) ?? 0,
                eTag: entry.childText("ETag"),
                lastModified: entry.childText("LastModified").flatMap(S3DateParsing.isoDate)
            )
        }
        let truncated = root.childText("IsTruncated") == "true"
        let token = root.childText("NextContinuationToken")
        return S3ListPage(objects: objects, nextContinuationToken: truncated ? token : nil)
    }

    /// Every key under `prefix`, following continuation tokens.
    public func listAllObjects(bucket: String, prefix: String? = nil, pageSize: Int? = nil) async throws -> [S3ObjectSummary] {
        var all: [S3ObjectSummary] = []
        var token: String?
        repeat {
            let page = try await listObjectsV2(bucket: bucket, prefix: prefix, continuationToken: token, maxKeys: pageSize)
            all += page.objects
            token = page.nextContinuationToken
        } while token != nil
        return all
    }

    /// Creates a bucket.
    ///
    /// - Returns: false when it already existed and is ours (`BucketAlreadyOwnedByYou`), so setup can run again.
    @discardableResult
    public func createBucket(bucket: String) async throws -> Bool {
        var body: ByteBuffer?
        let region = configuration.region
        if region != "us-east-1" {
            body = ByteBuffer(string: "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<LocationConstraint>\(region)</LocationConstraint></CreateBucketConfiguration>")
        }
        do {
            _ = try await call("CreateBucket", .PUT, bucket: bucket, headers: body == nil ? [] : [(name: "Content-Type", value: "application/xml")], body: body)
            return true
        } catch AWSError.service(let error) where error.code == "BucketAlreadyOwnedByYou" {
            return false
        }
    }

    /// Succeeds when the bucket exists and these credentials may use it.
    public func headBucket(bucket: String) async throws {
        _ = try await call("HeadBucket", .HEAD, bucket: bucket)
    }
}
