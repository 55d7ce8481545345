import Foundation
import Hummingbird

/// An error a client can cause or must know about, answered as JSON `{"error", "message"}`.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    /// A stable machine-readable code, e.g. `not_png`.
    public var code: String
    /// A short sentence for people.
    public var message: String
    /// Seconds after which trying again makes sense (429, 503).
    public var retryAfter: Int?
    /// More headers for the answer (`WWW-Authenticate` on a 401).
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, message: String, retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = try encoder.encode(["error": code, "message": message])
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    public static func notFound(_ what: String) -> APIError {
        APIError(.notFound, code: "not_found", message: "\(what) was not found.")
    }

    /// A limit was reached; `retryAfter` says when it frees up.
    public static func tooManyRequests(code: String, message: String, retryAfter: Int) -> APIError {
        APIError(.tooManyRequests, code: code, message: message, retryAfter: max(1, retryAfter))
    }

    public static func unavailable(_ what: String, retryAfter: Int = 5) -> APIError {
        APIError(.serviceUnavailable, code: "unavailable", message: "\(what) cannot be reached right now; try again shortly.", retryAfter: retryAfter)
    }
}
