import HTTPTypes
import Hummingbird
import Logging
import PipelineIdentity

/// A request context that carries the request's verified caller.
public protocol CallerContext: RequestLogContext {
    /// Set by ``IdentityMiddleware`` before any route under it runs.
    var caller: Caller? { get set }
}

extension CallerContext {
    /// The caller the ``IdentityMiddleware`` found; a route outside it (a programming error) is
    /// refused rather than served to an unknown caller.
    public func requireCaller() throws -> Caller {
        guard let caller else { throw APIError.unauthorized(bearer: false) }
        return caller
    }
}

/// Who is asking, before the routes under it run: the caller from the load balancer's header or a
/// bearer token (``Authenticator``), put in the context and on the request's log line; without a
/// valid identity (outside AUTH_MODE=none) the answer is 401 JSON and the reason goes to the log
/// only.
public struct IdentityMiddleware<Context: CallerContext>: RouterMiddleware {
    let authenticator: Authenticator

    public init(_ authenticator: Authenticator) {
        self.authenticator = authenticator
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        do {
            context.caller = try await authenticator.caller(
                loadBalancerHeader: request.headers[.amznOIDCData], accessToken: request.headers[.amznOIDCAccessToken],
                authorization: request.headers[.authorization]
            )
        } catch {
            context.logFields["refused"] = .string(error.description)
            throw APIError.unauthorized(bearer: authenticator.acceptsBearerTokens)
        }
        context.logFields["owner"] = context.caller.map { .string($0.owner) }
        return try await next(request, context)
    }
}

extension APIError {
    /// No valid identity. The body says only that; why is for the log.
    public static func unauthorized(bearer: Bool) -> APIError {
        var error = APIError(.unauthorized, code: "unauthorized", message: "Sign in first, or send a valid bearer token.")
        if bearer { error.headers[.wwwAuthenticate] = "Bearer" }
        return error
    }
}
