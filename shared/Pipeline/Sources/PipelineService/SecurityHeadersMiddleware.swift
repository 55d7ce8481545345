import Foundation
import Hummingbird

/// Headers every response carries, errors included, and the refusal of paths no client should send.
///
/// - `X-Content-Type-Options: nosniff` on everything: the image routes serve user bytes, which a
///   browser must never reinterpret as script or HTML.
/// - An optional `Content-Security-Policy` (the notifier's page).
/// - `Strict-Transport-Security` on answers to requests the load balancer received over HTTPS
///   (`X-Forwarded-Proto: https`): browsers then never use plain HTTP for the site again.
/// - A path holding NUL or another control character, raw or percent-encoded, is refused with
///   400 before any route sees it: file lookups must never meet such a name.
public struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    let contentSecurityPolicy: String?

    public init(contentSecurityPolicy: String? = nil) {
        self.contentSecurityPolicy = contentSecurityPolicy
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        if Self.hasControlCharacter(request.uri.path) {
            response = try APIError(.badRequest, code: "invalid_path", message: "The path holds a control character.")
                .response(from: request, context: context)
        } else {
            do {
                response = try await next(request, context)
            } catch let error as any HTTPResponseError {
                response = try error.response(from: request, context: context)
            }
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        if let contentSecurityPolicy { response.headers[.contentSecurityPolicy] = contentSecurityPolicy }
        if request.headers[.xForwardedProto]?.lowercased() == "https" {
            response.headers[.strictTransportSecurity] = "max-age=31536000; includeSubDomains"
        }
        return response
    }

    /// Whether `path`, as sent or percent-decoded, holds a C0 control character or DEL.
    static func hasControlCharacter(_ path: String) -> Bool {
        func control(_ text: String) -> Bool { text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } }
        if control(path) { return true }
        // An undecodable escape (`%zz`) is no control character; the routes refuse such paths.
        return path.contains("%") && control(path.removingPercentEncoding ?? "")
    }
}
