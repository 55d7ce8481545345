import AWSClient
import Foundation
import AWSSigV4
import NIOCore
import NIOHTTP1

/// An upload in progress that S3 has not completed or aborted yet.
public struct S3MultipartUploadSummary: Sendable, Equatable {
    public var key: String
    public var uploadID: String
}

extension S3Client {
    /// Starts a multipart upload of `bucket/key`.
    ///
    /// - Returns: the upload id, for ``uploadPart(bucket:key:uploadID:partNumber:body:)``.
    public func createMultipartUpload(
        bucket: String, key: String, contentType: String, metadata: [String: String] = [:]
    ) async throws -> String {
        let response = try await call(
            "CreateMultipartUpload", .POST, bucket: bucket, key: key, query: "uploads=",
            headers: Self.objectHeaders(contentType: contentType, metadata: metadata)
        )
        guard let uploadID = try Self.xml(response, "CreateMultipartUpload").childText("UploadId"), !uploadID.isEmpty else {
            throw AWSError.invalidResponse("CreateMultipartUpload: no UploadId")
        }
        return uploadID
    }

    /// Uploads part `partNumber` (1–10,000; every part but the last at least 5 MiB).
    ///
    /// - Returns: the part's ETag, for ``completeMultipartUpload(bucket:key:uploadID:parts:)``.
    public func uploadPart(bucket: String, key: String, uploadID: String, partNumber: Int, body: ByteBuffer) async throws -> String {
        let query = Self.query([("partNumber", String(partNumber)), ("uploadId", uploadID)])
        let response = try await call("UploadPart", .PUT, bucket: bucket, key: key, query: query, body: body)
        guard let eTag = response.headers.first(name: "ETag") else { throw AWSError.invalidResponse("UploadPart: no ETag") }
        return eTag
    }

    /// Joins the parts into the object.
    ///
    /// - Parameters:
    ///   - parts: part numbers and ETags, in order.
    ///   - ifAbsent: only if no object is there (`If-None-Match: *`), as ``putObject(bucket:key:body:contentType:metadata:ifAbsent:)``.
    public func completeMultipartUpload(
        bucket: String, key: String, uploadID: String, parts: [(number: Int, eTag: String)], ifAbsent: Bool = false
    ) async throws {
        var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for part in parts {
            xml += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\(Self.escapeXML(part.eTag))</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let response = try await call(
            "CompleteMultipartUpload", .POST, bucket: bucket, key: key, query: Self.query([("uploadId", uploadID)]),
            headers: [(name: "Content-Type", value: "application/xml")] + (ifAbsent ? [(name: "If-None-Match", value: "*")] : []),
            body: ByteBuffer(string: xml)
        )
        // S3 may answer 200 and still fail: the error is then the body.
        if let error = AWSServiceError.fromXML(response.body, statusCode: 200, requestID: response.headers.first(name: "x-amz-request-id")) {
            throw AWSError.service(error)
        }
    }

    /// Abandons the upload and frees its parts. Aborting an unknown upload is not an error.
    public func abortMultipartUpload(bucket: String, key: String, uploadID: String) async throws {
        do {
            _ = try await call("AbortMultipartUpload", .DELETE, bucket: bucket, key: key, query: Self.query([("uploadId", uploadID)]))
        } catch AWSError.service(let error) where error.code == "NoSuchUpload" {
            return
        }
    }

    /// The multipart uploads under way in `bucket` (the first thousand).
    public func listMultipartUploads(bucket: String) async throws -> [S3MultipartUploadSummary] {
        let response = try await call("ListMultipartUploads", .GET, bucket: bucket, query: "uploads=")
        return try Self.xml(response, "ListMultipartUploads").children("Upload").compactMap { upload in
            guard let key = upload.childText("Key"), let id = upload.childText("UploadId") else { return nil }
            return S3MultipartUploadSummary(key: key, uploadID: id)
        }
    }

    /// Content-Type and `x-amz-meta-*` headers of a new object.
    static func objectHeaders(contentType: String, metadata: [String: String]) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [(name: "Content-Type", value: contentType)]
        for (name, value) in metadata.sorted(by: { $0.key < $1.key }) {
            // Header values must be ASCII; anything else is percent-encoded.
            headers.append((name: "x-amz-meta-\(name.lowercased())", value: value.allSatisfy(\.isASCII) ? value : URIEncoding.encode(value)))
        }
        return headers
    }

    static func xml(_ response: AWSHTTPResponse, _ operation: String) throws -> XMLNode {
        do {
            return try XMLNode.parse(response.body.readableBytesView)
        } catch {
            throw AWSError.invalidResponse("\(operation): \(error)")
        }
    }

    static func escapeXML(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
