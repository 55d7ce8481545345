import Foundation
import PipelineContract
import PipelineSettings

/// One change as the event stream sends it, numbered by this notifier.
struct ImageChange: Sendable, Equatable {
    enum Kind: String, Sendable { case image, removed }
    var sequence: Int
    var kind: Kind
    var item: ImageItem?
    var imageID: String
    /// Whose image changed; nil when unknown (a removal the stream did not name an owner for).
    var owner: String?
}

/// The changes of the image table that this notifier's browsers get: whatever its stream says,
/// handed to the subscribers of the item's owner (and administrators), with the recent ones kept for browsers that
/// reconnect here with `Last-Event-ID`. It holds no image list; the table does.
actor ImageChangeHub {
    struct Subscriber {
        /// Whose changes it gets; nil: everyone's (an administrator).
        var owner: String?
        /// Who opened it (counted against EVENT_STREAMS_PER_OWNER).
        var caller: String
        var continuation: AsyncStream<ImageChange>.Continuation
    }

    /// A stream refused: the caller has as many open as EVENT_STREAMS_PER_OWNER allows, or this
    /// notifier as many as EVENT_STREAMS_PER_TASK.
    struct LimitReached: Error, Equatable {
        var perOwner: Bool
        var limit: Int
    }

    private var log: [ImageChange] = []
    private var nextSequence = 1
    private var subscribers: [UUID: Subscriber] = [:]
    /// Changes kept for clients that reconnect with `Last-Event-ID`.
    let logCapacity: Int
    /// Distinguishes this process's event ids from another replica's or a previous process's,
    /// and from its own before a gap in the stream.
    private(set) var epoch = ImageChangeHub.newEpoch()
    /// Open streams allowed at once, per caller and in all.
    let limits: NotifierConfiguration.StreamLimits
    /// Changes buffered for one subscriber that reads slower than they come; past it, its stream ends.
    let subscriberBuffer: Int

    static func newEpoch() -> String { String(UUID().uuidString.prefix(8)).lowercased() }

    init(logCapacity: Int = 2048, limits: NotifierConfiguration.StreamLimits = .init(), subscriberBuffer: Int = 256) {
        self.logCapacity = logCapacity
        self.limits = limits
        self.subscriberBuffer = subscriberBuffer
    }

    var subscriberCount: Int { subscribers.count }
    var lastSequence: Int { nextSequence - 1 }

    /// Hands a change of the table on. A `resync` (the stream may have lost changes) ends every
    /// stream and starts a new epoch, so every client that reconnects is told to read the table again.
    func publish(_ change: ImageTableChange) {
        switch change {
        case .updated(let item):
            add(ImageChange(sequence: nextSequence, kind: .image, item: item, imageID: item.imageID, owner: item.owner))
        case .removed(let imageID, let owner):
            add(ImageChange(sequence: nextSequence, kind: .removed, item: nil, imageID: imageID, owner: owner))
        case .resync:
            log.removeAll()
            epoch = Self.newEpoch()
            for subscriber in subscribers.values { subscriber.continuation.finish() }
            subscribers.removeAll()
        }
    }

    private func add(_ change: ImageChange) {
        nextSequence += 1
        log.append(change)
        if log.count > logCapacity { log.removeFirst(log.count - logCapacity) }
        for (id, subscriber) in subscribers where Self.sees(subscriber.owner, change) {
            // A client too slow for its buffer would silently miss changes: end its stream instead
            // (the buffer keeps the oldest, so it has received a gap-free prefix); its EventSource
            // reconnects with its last id and gets what it missed (or a resync).
            if case .dropped = subscriber.continuation.yield(change) {
                subscriber.continuation.finish()
                subscribers[id] = nil
            }
        }
    }

    /// The event id of a change: `{epoch}.{sequence}`, so that ids from another process or epoch
    /// are recognised as such.
    func eventID(_ change: ImageChange) -> String { "\(epoch).\(change.sequence)" }

    /// What a new subscriber gets: the changes of `owner` it missed since `lastEventID` (or
    /// `resync` when they are not all known here: another replica's id, a restart, a gap) and a
    /// stream of every later change of `owner`. The stream ends when ``unsubscribe(_:)`` is called.
    ///
    /// - Parameter caller: who asks (an administrator's streams count against their own limit).
    /// - Throws: ``LimitReached`` when the caller or this notifier has as many streams as allowed.
    func subscribe(
        owner: String?, caller: String, lastEventID: String?
    ) throws(LimitReached) -> (id: UUID, missed: [ImageChange], resync: Bool, stream: AsyncStream<ImageChange>) {
        guard subscribers.count < limits.perTask else { throw LimitReached(perOwner: false, limit: limits.perTask) }
        guard subscribers.values.count(where: { $0.caller == caller }) < limits.perOwner else {
            throw LimitReached(perOwner: true, limit: limits.perOwner)
        }
        let (stream, continuation) = AsyncStream.makeStream(of: ImageChange.self, bufferingPolicy: .bufferingOldest(subscriberBuffer))
        let id = UUID()
        // A stream that is dropped unread (its answer never sent) still gives its place back.
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            Task { await self.unsubscribe(id) }
        }
        subscribers[id] = Subscriber(owner: owner, caller: caller, continuation: continuation)
        guard let lastEventID else { return (id, [], false, stream) }
        let parts = lastEventID.split(separator: ".")
        guard parts.count == 2, parts[0] == epoch, let sequence = Int(parts[1]), sequence <= lastSequence else {
            return (id, [], true, stream)
        }
        let oldest = log.first?.sequence ?? nextSequence
        guard sequence + 1 >= oldest else { return (id, [], true, stream) }
        let missed = log.filter { $0.sequence > sequence && Self.sees(owner, $0) }
        return (id, missed, false, stream)
    }

    /// Whether a subscriber of `owner`'s changes (nil: everyone's) gets `change`: a change whose
    /// owner is unknown goes to administrators only.
    static func sees(_ owner: String?, _ change: ImageChange) -> Bool {
        owner == nil || change.owner == owner
    }

    func unsubscribe(_ id: UUID) {
        subscribers.removeValue(forKey: id)?.continuation.finish()
    }

    /// Ends every subscription (shutdown).
    func finishAll() {
        for subscriber in subscribers.values { subscriber.continuation.finish() }
        subscribers.removeAll()
    }
}
