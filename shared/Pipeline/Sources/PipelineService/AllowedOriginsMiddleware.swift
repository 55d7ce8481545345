import Hummingbird

/// CORS for a fixed list of origins (the notifier's page), on successes and errors alike, so a
/// page can read a 413 or 415 as well as a 202. Not Hummingbird's `CORSMiddleware`: that answers
/// every preflight 204, where a preflight from an origin not on the list gets 403 here.
public struct AllowedOriginsMiddleware<Context: RequestContext>: RouterMiddleware {
    let origins: Set<String>
    let allowMethods = "GET, POST, OPTIONS"
    /// Authorization: an API client's bearer token (AUTH_MODE jwt). The load balancer's identity
    /// header is never the browser's to send.
    let allowHeaders = "Content-Type, Accept, Idempotency-Key, Authorization"

    public init(origins: [String]) {
        self.origins = Set(origins)
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        let allowed = origins.contains(origin) || origins.contains("*")
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var response = Response(status: allowed ? .noContent : .forbidden)
            if allowed {
                addHeaders(&response.headers, origin: origin)
                response.headers[.accessControlAllowMethods] = allowMethods
                response.headers[.accessControlAllowHeaders] = allowHeaders
                response.headers[.accessControlMaxAge] = "600"
            }
            return response
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        if allowed { addHeaders(&response.headers, origin: origin) }
        return response
    }

    func addHeaders(_ headers: inout HTTPFields, origin: String) {
        headers[.accessControlAllowOrigin] = origins.contains("*") ? "*" : origin
        // A page may read how long to wait after a 503.
        headers[.accessControlExposeHeaders] = "Retry-After"
        headers[.vary] = "Origin"
    }
}
