import AWSClient
import AWSSigV4
import Foundation
import NIOCore
import NIOHTTP1

/// What HeadObject and GetObject tell about an object.
public struct S3ObjectHead: Sendable, Equatable {
    public var contentLength: Int
    public var contentType: String?
    public var eTag: String?
    public var lastModified: Date?
    /// User metadata (`x-amz-meta-*`), keys lower-cased without the prefix.
    public var metadata: [String: String]
}

/// An object's body and head.
public struct S3Object: Sendable {
    public var head: S3ObjectHead
    public var body: ByteBuffer
}

extension S3Client {
    /// Stores `body` at `bucket/key`.
    ///
    /// - Parameter ifAbsent: only if no object is there (`If-None-Match: *`); S3 refuses with
    ///   412 `PreconditionFailed` otherwise.
    /// - Returns: the object's ETag.
    @discardableResult
    public func putObject(
        bucket: String, key: String, body: ByteBuffer, contentType: String, metadata: [String: String] = [:], ifAbsent: Bool = false
    ) async throws -> String? {
        var headers = Self.objectHeaders(contentType: contentType, metadata: metadata)
        if ifAbsent { headers.append((name: "If-None-Match", value: "*")) }
        let response = try await call("PutObject", .PUT, bucket: bucket, key: key, headers: headers, body: body)
        return response.headers.first(name: "ETag")
    }

    /// Reads a whole object, refusing one larger than `maxBytes` with ``AWSError/responseTooLarge(limit:)``.
    public func getObject(bucket: String, key: String, maxBytes: Int = 64 << 20) async throws -> S3Object {
        let response = try await call("GetObject", .GET, bucket: bucket, key: key, maxResponseBytes: maxBytes)
        return S3Object(head: Self.head(from: response.headers, bodyLength: response.body.readableBytes), body: response.body)
    }

    /// An object whose body is handed over as it arrives, so that serving it needs no more memory
    /// than a chunk. Read the body to its end.
    public func getObjectStream(bucket: String, key: String) async throws -> (head: S3ObjectHead, body: AWSByteStream) {
        let (endpoint, path) = location(bucket: bucket, key: key)
        let response = try await client.stream(.init(
            operation: "S3.GetObject", method: .GET, endpoint: endpoint, path: path, contentSHA256Header: true
        ))
        return (Self.head(from: response.headers, bodyLength: nil), response.body)
    }

    /// The object's size, type, ETag and metadata, without its body.
    public func headObject(bucket: String, key: String) async throws -> S3ObjectHead {
        let response = try await call("HeadObject", .HEAD, bucket: bucket, key: key)
        return Self.head(from: response.headers, bodyLength: nil)
    }

    /// Deletes an object; deleting one that does not exist succeeds, as in S3.
    public func deleteObject(bucket: String, key: String) async throws {
        _ = try await call("DeleteObject", .DELETE, bucket: bucket, key: key)
    }

    static func head(from headers: HTTPHeaders, bodyLength: Int?) -> S3ObjectHead {
        var metadata: [String: String] = [:]
        for header in headers where header.name.lowercased().hasPrefix("x-amz-meta-") {
            metadata[String(header.name.lowercased().dropFirst("x-amz-meta-".count))] = header.value
        }
        return S3ObjectHead(
            contentLength: headers.first(name: "Content-Length").flatMap(Int.init) ?? bodyLength ?? 0,
            contentType: headers.first(name: "Content-Type"),
            eTag: headers.first(name: "ETag"),
            lastModified: headers.first(name: "Last-Modified").flatMap(S3DateParsing.httpDate),
            metadata: metadata
        )
    }
}
