import Foundation
import PipelineContract

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
        var continuation: AsyncStream<ImageChange>.Continuation
    }

    private var log: [ImageChange] = []
    private var nextSequence = 1
    private var subscribers: [UUID: Subscriber] = [:]
    /// Changes kept for clients that reconnect with `Last-Event-ID`.
    let logCapacity: Int
    /// Distinguishes this process's event ids from another replica's or a previous process's,
    /// and from its own before a gap in the stream.
    private(set) var epoch = ImageChangeHub.newEpoch()

    static func newEpoch() -> String { String(UUID().uuidString.prefix(8)).lowercased() }

    init(logCapacity: Int = 2048) {
        self.logCapacity = logCapacity
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
    func subscribe(owner: String?, lastEventID: String?) -> (id: UUID, missed: [ImageChange], resync: Bool, stream: AsyncStream<ImageChange>) {
        let (stream, continuation) = AsyncStream.makeStream(of: ImageChange.self, bufferingPolicy: .bufferingOldest(4096))
        let id = UUID()
        subscribers[id] = Subscriber(owner: owner, continuation: continuation)
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
