import Foundation
import Hummingbird

/// Answers a known path asked with a method it does not take with 405 and an `Allow` header, as
/// HTTP says, instead of the router's 404.
///
/// Added last (``Hummingbird/Router/addMethodNotAllowedResponses(staticFolder:)``), it sees only
/// requests no route took, so it costs the routes nothing.
public struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Path patterns (`/api/images/:id`, `*`, `**`) and the methods each takes.
    let routes: [(segments: [Substring], methods: Set<HTTPRequest.Method>)]
    /// A folder of static files served for GET and HEAD (the notifier's page), if any.
    let staticFolder: String?

    public init(routes: [(path: String, method: HTTPRequest.Method)], staticFolder: String? = nil) {
        var table: [String: Set<HTTPRequest.Method>] = [:]
        for route in routes {
            table[route.path, default: []].insert(route.method)
            if route.method == .get { table[route.path, default: []].insert(.head) }
        }
        self.routes = table.map { (Self.segments($0.key), $0.value) }
        self.staticFolder = staticFolder
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let allowed = allowedMethods(path: request.uri.path)
        guard !allowed.isEmpty, !allowed.contains(request.method) else { return try await next(request, context) }
        let allow = allowed.map(\.rawValue).sorted().joined(separator: ", ")
        var response = try APIError(
            .methodNotAllowed, code: "method_not_allowed", message: "\(request.uri.path) takes \(allow), not \(request.method.rawValue)."
        ).response(from: request, context: context)
        response.headers[.allow] = allow
        return response
    }

    /// The methods `path` takes; empty for an unknown path.
    func allowedMethods(path: String) -> Set<HTTPRequest.Method> {
        let parts = Self.segments(path)
        var methods = Set<HTTPRequest.Method>()
        for route in routes where Self.matches(route.segments, parts) { methods.formUnion(route.methods) }
        if methods.isEmpty, isStaticFile(path) { methods = [.get, .head] }
        return methods
    }

    func isStaticFile(_ path: String) -> Bool {
        guard let staticFolder, !path.contains(".."), let decoded = path.removingPercentEncoding else { return false }
        var isDirectory: ObjCBool = false
        let file = staticFolder + (decoded == "/" ? "/index.html" : decoded)
        return FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    static func segments(_ path: some StringProtocol) -> [Substring] {
        Substring(path).split(separator: "/", omittingEmptySubsequences: true)
    }

    /// Whether the request's segments fit a route pattern: `:name` and `*` take one segment, `**` the rest.
    static func matches(_ pattern: [Substring], _ parts: [Substring]) -> Bool {
        var index = 0
        for segment in pattern {
            if segment == "**" { return true }
            guard index < parts.count else { return false }
            if !(segment.hasPrefix(":") || segment.hasPrefix("{") || segment == "*" || segment == parts[index]) { return false }
            index += 1
        }
        return index == parts.count
    }
}

extension Router {
    /// Ends the router: a known path asked with another method gets 405 and `Allow`. Call it after
    /// every route is added; it reads them.
    public func addMethodNotAllowedResponses(staticFolder: String? = nil) {
        let table = routes.map { (path: $0.path.description, method: $0.method) }
        addMiddleware { MethodNotAllowedMiddleware(routes: table, staticFolder: staticFolder) }
    }
}
