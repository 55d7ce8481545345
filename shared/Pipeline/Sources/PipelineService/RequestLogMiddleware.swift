import Foundation
import Hummingbird
import Logging
import Synchronization

/// Facts a route adds to its request's log line (size, dimensions, a refusal's code); each request
/// context has its own.
public final class RequestLogFields: Sendable {
    private let fields = Mutex<Logger.Metadata>([:])

    public init() {}

    public subscript(_ name: String) -> Logger.MetadataValue? {
        get { fields.withLock { $0[name] } }
        set { fields.withLock { $0[name] = newValue } }
    }

    var all: Logger.Metadata { fields.withLock { $0 } }
}

/// A request context whose routes can add to their request's log line.
public protocol RequestLogContext: RequestContext {
    var logFields: RequestLogFields { get }
    /// The connection's peer address, if known.
    var peerAddress: String? { get }
}

/// Who sent a request: the address the trusted proxies saw, never what the client wrote itself.
public enum ClientAddress {
    /// With `trustedProxyHops` proxies in front, each appending its peer to `X-Forwarded-For`, the
    /// client is the entry the outermost appended: the `trustedProxyHops`-th from the end. Entries
    /// before it are the client's own words (a forged header lands there). With no proxy, or a
    /// header shorter than the chain, the connection's peer.
    public static func of(forwardedFor: String?, peer: String?, trustedProxyHops: Int) -> String {
        if trustedProxyHops > 0, let forwardedFor {
            let entries = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if entries.count >= trustedProxyHops {
                let entry = entries[entries.count - trustedProxyHops]
                if !entry.isEmpty, entry.count <= 64 { return entry }
            }
        }
        return peer ?? "-"
    }
}

/// Writes one log line per request when it is answered, errors included: method, path, status,
/// duration, the client's address (``ClientAddress``) and owner (`-` before or without sign-in),
/// and whatever the route added to ``RequestLogContext/logFields``; and hands status and
/// duration to `record`, for the service's request metrics. Not Hummingbird's
/// `LogRequestsMiddleware`, which logs a request as it arrives, without its status or duration.
public struct RequestLogMiddleware<Context: RequestLogContext>: RouterMiddleware {
    public typealias Record = @Sendable (_ status: Int, _ duration: Duration) -> Void
    let message: Logger.Message
    let quietPaths: Set<String>
    let record: Record?
    let trustedProxyHops: Int

    /// - Parameters:
    ///   - quietPaths: paths logged at debug level rather than info (health checks, scrapes).
    ///   - trustedProxyHops: TRUSTED_PROXY_HOPS, how the client's address is read.
    ///   - record: gets each request's status and duration.
    public init(_ message: Logger.Message = "request", quietPaths: Set<String> = [], trustedProxyHops: Int = 0, record: Record? = nil) {
        self.message = message
        self.quietPaths = quietPaths
        self.trustedProxyHops = trustedProxyHops
        self.record = record
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let fields = context.logFields
        do {
            let response = try await next(request, context)
            finish(request, context, fields, status: Int(response.status.code), since: started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError).map { Int($0.status.code) } ?? 500
            finish(request, context, fields, status: status, since: started)
            throw error
        }
    }

    private func finish(_ request: Request, _ context: Context, _ fields: RequestLogFields, status: Int, since started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        record?(status, elapsed)
        var metadata = fields.all
        let forwardedFor = request.headers[.xForwardedFor]
        metadata["client"] = .string(ClientAddress.of(forwardedFor: forwardedFor, peer: context.peerAddress, trustedProxyHops: trustedProxyHops))
        // The whole chain too, when there is one: a client's own entries show a forgery attempt.
        if let forwardedFor { metadata["forwarded_for"] = .string(String(forwardedFor.prefix(256))) }
        if metadata["owner"] == nil { metadata["owner"] = "-" }
        metadata["method"] = .string(request.method.rawValue)
        metadata["path"] = .string(request.uri.path)
        metadata["status"] = .stringConvertible(status)
        metadata["duration_ms"] = .string(String(format: "%.1f", Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000))
        context.logger.log(level: quietPaths.contains(request.uri.path) ? .debug : .info, message, metadata: metadata)
    }
}
