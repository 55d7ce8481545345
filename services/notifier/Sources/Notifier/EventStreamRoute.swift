import Foundation
import HTTPTypes
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
struct EventStreamRoute: Sendable {
    let hub: ImageChangeHub
    let monitor: PipelineMonitor
    var heartbeat: Duration = .seconds(15)

    func addRoutes(to api: RouterGroup<ServiceRequestContext>) {
        api.get("events") { request, context in
            let caller = try context.requireCaller()
            let lastEventID = request.headers[.lastEventID] ?? request.uri.queryParameters[Substring("last_event_id")].map(String.init)
            return stream(owner: caller.readableOwner, lastEventID: lastEventID, showsDeadLetters: caller.seesDeadLetters)
        }
    }

    /// - Parameter showsDeadLetters: whether the pipeline frames count the dead letters (administrators).
    func stream(owner: String?, lastEventID: String?, showsDeadLetters: Bool = true) -> Response {
        let hub = self.hub
        let monitor = self.monitor
        let heartbeat = self.heartbeat
        let headers: HTTPFields = [
            .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store", .xAccelBuffering: "no",
        ]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            let subscription = await hub.subscribe(owner: owner, lastEventID: lastEventID)
            // Merge image changes and heartbeats into one sequence of frames.
            let (frames, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingOldest(4096))
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
            defer {
                pump.cancel()
                numbers.cancel()
                beat.cancel()
            }
            // On graceful shutdown the frames end, so the stream closes and the server can stop.
            await withGracefulShutdownHandler {
                do {
                    for await frame in frames {
                        try await writer.write(ByteBuffer(string: frame))
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
