import AWSClient
import Foundation
import Hummingbird
import PipelineConcurrency
import PipelineContract
import PipelineService

/// The JSON API of the page: list, one image, both images' bytes, configuration, refresh.
struct ImageRoutes: Sendable {
    let index: ImageIndex
    let rebuilder: IndexRebuilder
    let inputBucket: any ObjectStore
    let processedBucket: any ObjectStore
    let publicUploadURL: String
    let maxUploadBytes: Int
    /// Refresh requests that arrive while one runs share it instead of listing the buckets again.
    let refreshes = SingleFlight()

    func addRoutes(to router: Router<ServiceRequestContext>) {
        let api = router.group("api")
        api.get("config") { _, _ in
            JSONBody(ConfigView(uploadURL: publicUploadURL, maxUploadBytes: maxUploadBytes))
        }
        api.get("images") { request, _ in
            let limit = request.uri.queryParameters[Substring("limit")].flatMap { Int($0) } ?? 50
            guard (1...500).contains(limit) else {
                throw APIError(.badRequest, code: "invalid_limit", message: "limit must be from 1 to 500.")
            }
            let cursor = request.uri.queryParameters[Substring("cursor")].map(String.init)
            let page = await index.page(limit: limit, after: cursor)
            return JSONBody(ListView(images: page.images.map(ImageView.init), nextCursor: page.nextCursor))
        }
        api.get("images/:id") { _, context in
            JSONBody(ImageView(try await record(context)))
        }
        api.get("images/:id/original") { request, context in
            let record = try await record(context)
            return try await image(inputBucket, key: record.originalKey, request: request)
        }
        api.get("images/:id/processed") { request, context in
            let record = try await record(context)
            guard record.state == .processed, let key = record.processedKey else {
                throw APIError(.notFound, code: "not_processed", message: "This image has not been processed (it is \(record.state.rawValue)).")
            }
            return try await image(processedBucket, key: key, request: request)
        }
        addDownloadRoutes(to: api)
        api.post("refresh") { _, _ in
            do {
                try await refreshes.run { try await rebuilder.rebuild() }
            } catch {
                throw APIError.unavailable("The image store")
            }
            return JSONBody(["images": await index.count])
        }
    }

    func record(_ context: ServiceRequestContext) async throws -> ImageRecord {
        let id = context.parameters.get("id") ?? ""
        guard let record = await index.record(id) else { throw APIError.notFound("Image \(id)") }
        return record
    }

    /// Serves one PNG from the store. Keys are unique per upload and never rewritten with other
    /// bytes, so browsers may cache for a long time; `If-None-Match` gets a 304.
    /// With `attachment`, the response is a download under that file name.
    func image(_ store: any ObjectStore, key: String, request: Request, attachment: String? = nil) async throws -> Response {
        let cacheControl = "public, max-age=31536000, immutable"
        do {
            if let match = request.headers[.ifNoneMatch], let head = try await store.head(key: key), let etag = head.eTag, match == etag {
                return Response(status: .notModified, headers: [.eTag: etag, .cacheControl: cacheControl])
            }
            // Streamed from the store chunk by chunk: a large image is never held whole here.
            let (info, body) = try await store.stream(key: key)
            var headers: HTTPFields = [.contentType: "image/png", .cacheControl: cacheControl]
            if let etag = info.eTag { headers[.eTag] = etag }
            if let attachment { headers[.contentDisposition] = DownloadName.attachment(attachment) }
            return Response(status: .ok, headers: headers, body: ResponseBody(contentLength: info.size) { writer in
                try await writer.write(body)
                try await writer.finish(nil)
            })
        } catch ObjectStoreError.notFound {
            throw APIError.notFound("The object \(key)")
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.unavailable("The image store")
        }
    }
}

struct ConfigView: Encodable {
    var uploadURL: String
    var maxUploadBytes: Int
    enum CodingKeys: String, CodingKey { case uploadURL = "upload_url", maxUploadBytes = "max_upload_bytes" }
}

struct ListView: Encodable {
    var images: [ImageView]
    var nextCursor: String?
    enum CodingKeys: String, CodingKey { case images, nextCursor = "next_cursor" }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(images, forKey: .images)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}

/// Any `Encodable` answered as JSON.
struct JSONBody<Value: Encodable & Sendable>: ResponseGenerator {
    var value: Value
    init(_ value: Value) { self.value = value }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value)))
        )
    }
}
