import Foundation
import HTTPTypes
import NIOCore
import Synchronization
import Hummingbird
import PipelineContract
import PipelineIdentity
import PipelineService
import ServiceLifecycle

/// `GET /api/events`: Server-Sent Events of the caller's owner's image changes (an administrator's:
/// everyone's; from the table's
/// stream, whichever notifier applied them), and of the pipeline's numbers.
///
/// Every event has an `id:`, so a reconnecting `EventSource` sends `Last-Event-ID` and gets what
/// it missed (or `event: resync` when that is no longer known). A comment line every
/// `heartbeat` keeps proxies from closing an idle stream. Streams end on graceful shutdown.
/// `event: pipeline` frames carry ``PipelineSnapshot``s: one on connecting, then each change.
/// They have no `id:`, so a client's last event id stays that of the last image change.
///
/// Open streams are limited per caller and per notifier (``ImageChangeHub/LimitReached``: 429), and a
/// client that stops reading loses its stream: a write not taken within ``writeTimeout`` closes the
/// connection, so an unread stream pins no more than its small buffer for that long.
struct EventStreamRoute: Sendable {
    let hub: ImageChangeHub
    let monitor: PipelineMonitor
    var heartbeat: Duration = .seconds(15)
    var writeTimeout: Duration = .seconds(30)

    func addRoutes(to api: RouterGroup<ServiceRequestContext>) {
        api.get("events") { request, context in
            let caller = try context.requireCaller()
            let lastEventID = request.headers[.lastEventID] ?? request.uri.queryParameters[Substring("last_event_id")].map(String.init)
            return try await stream(
                owner: caller.readableOwner, caller: caller.owner, lastEventID: lastEventID, showsDeadLetters: caller.seesDeadLetters,
                connection: context.connection
            )
        }
    }

    /// - Parameters:
    ///   - caller: who opens it, for the per-owner limit.
    ///   - showsDeadLetters: whether the pipeline frames count the dead letters (administrators).
    ///   - connection: closed when the client stops reading.
    func stream(
        owner: String?, caller: String, lastEventID: String?, showsDeadLetters: Bool = true, connection: (any Channel)? = nil
    ) async throws -> Response {
        let hub = self.hub
        let monitor = self.monitor
        let heartbeat = self.heartbeat
        let writeTimeout = self.writeTimeout
        let subscription: (id: UUID, missed: [ImageChange], resync: Bool, stream: AsyncStream<ImageChange>)
        do {
            subscription = try await hub.subscribe(owner: owner, caller: caller, lastEventID: lastEventID)
        } catch {
            throw APIError.tooManyRequests(
                code: "too_many_streams",
                message: error.perOwner
                    ? "You have \(error.limit) live update streams open already (other tabs or devices); close one to open another."
                    : "This server has as many live update streams open as it can hold; try again shortly.",
                retryAfter: 10
            )
        }
        let headers: HTTPFields = [
            .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store", .xAccelBuffering: "no",
        ]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            // Merge image changes and heartbeats into one sequence of frames.
            let (frames, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingOldest(256))
            let pump = Task {
                continuation.yield("retry: 2000\n\n")
                if subscription.resync { continuation.yield("event: resync\ndata: {}\n\n") }
                // When the client reads slower than changes come, its buffer overflows: the stream
                // ends instead of skipping changes, and the client resumes by its last id.
                func send(_ change: ImageChange) async -> Bool {
                    if case .dropped = continuation.yield(await Self.frame(change, hub: hub)) { return false }
                    return true
                }
                var open = true
                for change in subscription.missed where open { open = await send(change) }
                if open {
                    for await change in subscription.stream {
                        guard await send(change) else { break }
                    }
                }
                continuation.finish()
            }
            let pipeline = await monitor.subscribe()
            let numbers = Task {
                for await snapshot in pipeline.stream {
                    continuation.yield(Self.frame(showsDeadLetters ? snapshot : snapshot.withoutDeadLetters))
                }
            }
            let beat = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: heartbeat)
                    continuation.yield(": heartbeat\n\n")
                }
            }
            // A write the client does not take (it stopped reading) closes the connection.
            let writing = Mutex<ContinuousClock.Instant?>(nil)
            let watchdog = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: writeTimeout / 4)
                    if let since = writing.withLock({ $0 }), ContinuousClock.now - since > writeTimeout {
                        connection?.close(promise: nil)
                        continuation.finish()
                        return
                    }
                }
            }
            defer {
                pump.cancel()
                numbers.cancel()
                beat.cancel()
                watchdog.cancel()
            }
            // On graceful shutdown the frames end, so the stream closes and the server can stop.
            await withGracefulShutdownHandler {
                do {
                    for await frame in frames {
                        writing.withLock { $0 = .now }
                        try await writer.write(ByteBuffer(string: frame))
                        writing.withLock { $0 = nil }
                    }
                } catch {
                    // The client went away.
                }
            } onGracefulShutdown: {
                continuation.finish()
            }
            await hub.unsubscribe(subscription.id)
            await monitor.unsubscribe(pipeline.id)
            try? await writer.finish(nil)
        })
    }

    static func frame(_ change: ImageChange, hub: ImageChangeHub) async -> String {
        let id = await hub.eventID(change)
        let data: String
        if change.kind == .image, let item = change.item {
            data = (try? PipelineJSON.encode(ImageView(item))) ?? "{}"
        } else {
            data = (try? PipelineJSON.encode(["image_id": change.imageID])) ?? "{}"
        }
        return "id: \(id)\nevent: \(change.kind.rawValue)\ndata: \(data)\n\n"
    }

    static func frame(_ snapshot: PipelineSnapshot) -> String {
        "event: pipeline\ndata: \((try? PipelineJSON.encode(snapshot)) ?? "{}")\n\n"
    }
}
