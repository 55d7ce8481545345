import AWSClient
import Foundation
import HTTPTypes
import Hummingbird
import PipelineContract
import PipelineIdentity
import PipelineService
import PipelineSettings

/// The JSON API of the page: list, one image, both images' bytes, configuration, who is signed in.
/// Every read is of the caller's owner's images (an administrator's: everyone's); another owner's
/// id answers 404, as an unknown id does.
struct ImageRoutes: Sendable {
    let table: any ImageTable
    let inputBucket: any ObjectStore
    let processedBucket: any ObjectStore
    let publicUploadURL: String
    let maxUploadBytes: Int

    /// Where sign-out ends (SIGN_OUT_URL: the identity provider's logout), in `alb` mode.
    var signOutURL: String?
    /// What one `results.zip` holds at most.
    var zipLimits = NotifierConfiguration.ZipLimits()

    /// The load balancer keeps its session in these cookies (split when large); sign-out expires them.
    static let sessionCookies = (0..<4).map { "AWSELBAuthSessionCookie-\($0)" }

    /// Adds the routes to `api` (the `/api` group, behind the ``IdentityMiddleware``).
    func addRoutes(to api: RouterGroup<ServiceRequestContext>) {
        api.get("me") { _, context in
            let caller = try context.requireCaller()
            return JSONBody(CallerView(caller: caller, signOutURL: caller.via == .alb ? "/api/signout" : nil))
        }
        // Sign-out, as the load balancer wants it: its session cookies expired, then the identity
        // provider's logout (or the page, which signs in again).
        api.get("signout") { _, _ in
            var headers: HTTPFields = [.location: signOutURL ?? "/", .cacheControl: "no-store"]
            for cookie in Self.sessionCookies {
                headers.append(HTTPField(name: .setCookie, value: "\(cookie)=; Max-Age=0; Path=/; Secure; HttpOnly"))
            }
            return Response(status: .found, headers: headers)
        }
        api.get("config") { _, _ in
            JSONBody(ConfigView(uploadURL: publicUploadURL, maxUploadBytes: maxUploadBytes))
        }
        api.get("images") { request, context in
            let caller = try context.requireCaller()
            let limit = request.uri.queryParameters[Substring("limit")].flatMap { Int($0) } ?? 50
            guard (1...500).contains(limit) else {
                throw APIError(.badRequest, code: "invalid_limit", message: "limit must be from 1 to 500.")
            }
            let cursor = request.uri.queryParameters[Substring("cursor")].map(String.init)
            let page: ImagePage
            do {
                page = try await table.page(owner: caller.readableOwner, limit: limit, after: cursor)
            } catch ImageTableError.invalidCursor {
                throw APIError(.badRequest, code: "invalid_cursor", message: "cursor must be a next_cursor this API gave.")
            } catch {
                throw APIError.unavailable("The image list")
            }
            return JSONBody(ListView(images: page.items.map(ImageView.init), nextCursor: page.nextCursor))
        }
        api.get("images/:id") { request, context in
            JSONBody(ImageView(try await record(request, context)))
        }
        api.get("images/:id/original") { request, context in
            let record = try await record(request, context)
            return try await image(inputBucket, key: record.originalKey, request: request)
        }
        api.get("images/:id/processed") { request, context in
            let record = try await record(request, context)
            guard record.state == .processed, let key = record.processedKey else {
                throw APIError(.notFound, code: "not_processed", message: "This image has not been processed (it is \(record.state.rawValue)).")
            }
            return try await image(processedBucket, key: key, request: request)
        }
        addDownloadRoutes(to: api)
    }

    /// The image the path names, if the caller may read it; 404 as for an unknown id otherwise.
    func record(_ request: Request, _ context: ServiceRequestContext) async throws -> ImageItem {
        let caller = try context.requireCaller()
        let id = context.parameters.get("id") ?? ""
        let item: ImageItem?
        do {
            item = try await table.item(id)
        } catch {
            throw APIError.unavailable("The image list")
        }
        guard let item, caller.mayRead(imagesOf: item.owner) else { throw APIError.notFound("Image \(id)") }
        return item
    }

    /// Serves one PNG from the store. Keys are unique per upload and never rewritten with other
    /// bytes, so browsers may cache for a long time (privately: the image is its owner's alone);
    /// `If-None-Match` gets a 304.
    /// With `attachment`, the response is a download under that file name.
    func image(_ store: any ObjectStore, key: String, request: Request, attachment: String? = nil) async throws -> Response {
        let cacheControl = "private, max-age=31536000, immutable"
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

/// `GET /api/me`: who the page's user is, for its header.
struct CallerView: Encodable {
    var owner: String
    var email: String?
    var admin: Bool
    /// `alb`, `jwt` or `none`.
    var signedInVia: String
    /// The sign-out link, when the load balancer signed the user in.
    var signOutURL: String?

    init(caller: Caller, signOutURL: String?) {
        owner = caller.owner
        email = caller.identity.email
        admin = caller.isAdmin
        signedInVia = caller.via.rawValue
        self.signOutURL = signOutURL
    }

    enum CodingKeys: String, CodingKey { case owner, email, admin, signedInVia = "signed_in_via", signOutURL = "sign_out_url" }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(owner, forKey: .owner)
        try container.encode(email, forKey: .email)
        try container.encode(admin, forKey: .admin)
        try container.encode(signedInVia, forKey: .signedInVia)
        try container.encode(signOutURL, forKey: .signOutURL)
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
