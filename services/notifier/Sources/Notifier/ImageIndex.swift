import Foundation
import PipelineContract

/// One change of the index, as the event stream sends it.
struct IndexChange: Sendable, Equatable {
    enum Kind: String, Sendable { case image, removed }
    var sequence: Int
    var kind: Kind
    var record: ImageRecord
}

/// The in-memory index of every image and its state, fed by the processed queue and the buckets.
///
/// Facts may arrive twice or out of order; applying one that is already known changes nothing,
/// and a state never goes back (see ``ImageState``). Each real change gets a sequence number,
/// is kept in a bounded log for reconnecting clients, and is pushed to subscribers.
actor ImageIndex {
    private var records: [String: ImageRecord] = [:]
    private var log: [IndexChange] = []
    private var nextSequence = 1
    private var subscribers: [UUID: AsyncStream<IndexChange>.Continuation] = [:]
    /// Changes kept for clients that reconnect with `Last-Event-ID`.
    let logCapacity: Int
    /// Distinguishes this process's event ids from a previous one's.
    let bootID = String(UUID().uuidString.prefix(8)).lowercased()

    init(logCapacity: Int = 2048) {
        self.logCapacity = logCapacity
    }

    var count: Int { records.count }
    var subscriberCount: Int { subscribers.count }
    var lastSequence: Int { nextSequence - 1 }

    func record(_ imageID: String) -> ImageRecord? { records[imageID] }

    // MARK: Facts

    /// An object seen in the input bucket: the image exists and is at least queued.
    func noteUpload(inputKey: String, size: Int?, uploadedAt: Date?) {
        guard let imageID = ObjectKeys.imageID(fromInputKey: inputKey) else { return }
        update(imageID, inputKey: inputKey) { record in
            record.originalSize = record.originalSize ?? size
            record.uploadedAt = record.uploadedAt ?? uploadedAt
        }
    }

    /// A processed object seen in the processed bucket.
    func noteProcessed(inputKey: String, processedSize: Int?, at date: Date?) {
        guard let imageID = ObjectKeys.imageID(fromInputKey: inputKey) else { return }
        update(imageID, inputKey: inputKey) { record in
            record.advance(to: .processed)
            record.processedKey = ObjectKeys.processedKey(inputKey: inputKey)
            record.processedSize = record.processedSize ?? processedSize
        }
    }

    /// A failure marker seen in the processed bucket.
    func noteFailed(inputKey: String, reason: String) {
        guard let imageID = ObjectKeys.imageID(fromInputKey: inputKey) else { return }
        update(imageID, inputKey: inputKey) { record in
            record.advance(to: .failed, error: reason)
        }
    }

    /// An event from the processed queue: the upload API's `queued`, the processor's outcome.
    /// Returns the outcome the image reached through this event (nil when it changed no state),
    /// so each outcome is counted once however often its event comes.
    @discardableResult
    func apply(_ event: ImageEvent, at now: Date = Date()) -> ImageState? {
        let before = records[event.imageID]?.state
        var reached: ImageState?
        update(event.imageID, inputKey: event.originalKey) { record in
            switch event.status {
            case .queued:
                record.originalSize = record.originalSize ?? event.size
                record.uploadedAt = record.uploadedAt ?? event.uploadedAt.flatMap(PipelineJSON.date(fromTimestamp:))
            case .processed:
                record.advance(to: .processed)
                record.processedKey = event.processedKey ?? ObjectKeys.processedKey(inputKey: event.originalKey)
                record.processedSize = event.processedSize ?? record.processedSize
            case .failed:
                record.advance(to: .failed, error: event.error ?? "Processing failed.")
            }
            record.width = event.width ?? record.width
            record.height = event.height ?? record.height
            // The first event of the outcome the image now has sets its times: a failure's are
            // replaced by those of the success that followed it (a redrive), never the other way
            // round; a redelivered event changes nothing. An image first seen in a bucket listing
            // (a restart) still gets them when its event comes.
            let first = record.state != before || record.notifiedAt == nil
            if event.status != .queued, record.state == ImageState(event.status), first {
                reached = record.state
                record.startedAt = event.startedAt.flatMap(PipelineJSON.date(fromTimestamp:)) ?? record.startedAt
                record.finishedAt = event.finishedAt.flatMap(PipelineJSON.date(fromTimestamp:)) ?? record.finishedAt
                record.notifiedAt = now
            }
        }
        return reached
    }

    /// Drops queued images whose input object is gone (an upload whose message could not be sent
    /// is deleted again by the upload API); processed and failed ones stay.
    func removeQueued(notIn inputKeys: Set<String>) {
        for record in records.values where record.state == .queued && !inputKeys.contains(record.originalKey) {
            records[record.imageID] = nil
            publish(.removed, record)
        }
    }

    /// Whether the index already knows the failure reason of this image (so its marker need not be read).
    func knowsFailure(imageID: String) -> Bool {
        records[imageID].map { $0.state == .failed && $0.error != nil } ?? false
    }

    private func update(_ imageID: String, inputKey: String, _ change: (inout ImageRecord) -> Void) {
        let old = records[imageID]
        var record = old ?? ImageRecord(imageID: imageID, originalKey: inputKey)
        change(&record)
        if let old, record.sameFacts(as: old) { return }
        record.updatedAt = Date()
        records[imageID] = record
        publish(.image, record)
    }

    private func publish(_ kind: IndexChange.Kind, _ record: ImageRecord) {
        let change = IndexChange(sequence: nextSequence, kind: kind, record: record)
        nextSequence += 1
        log.append(change)
        if log.count > logCapacity { log.removeFirst(log.count - logCapacity) }
        for (id, continuation) in subscribers {
            // A client too slow for its buffer would silently miss changes: end its stream instead
            // (the buffer keeps the oldest, so it has received a gap-free prefix); its EventSource
            // reconnects with its last id and gets what it missed (or a resync).
            if case .dropped = continuation.yield(change) {
                continuation.finish()
                subscribers[id] = nil
            }
        }
    }

    // MARK: Reading

    /// A page of images, newest first, after `cursor` (the last image id of the previous page).
    func page(limit: Int, after cursor: String?) -> (images: [ImageRecord], nextCursor: String?) {
        let sorted = records.values.sorted(by: ImageRecord.newestFirst)
        var start = 0
        if let cursor, let anchor = records[cursor] {
            start = sorted.firstIndex { !ImageRecord.newestFirst($0, anchor) && $0.imageID != anchor.imageID } ?? sorted.count
        }
        let slice = Array(sorted[start..<min(sorted.count, start + limit)])
        let more = start + slice.count < sorted.count
        return (slice, more ? slice.last?.imageID : nil)
    }

    /// Every processed image, oldest upload first.
    func processedRecords() -> [ImageRecord] {
        records.values.filter { $0.state == .processed }.sorted { ImageRecord.newestFirst($1, $0) }
    }

    // MARK: Subscribing

    /// The event id of a change: `{boot}.{sequence}`, so that ids from before a restart are
    /// recognised as such.
    func eventID(_ change: IndexChange) -> String { "\(bootID).\(change.sequence)" }

    /// What a new subscriber gets: the changes it missed since `lastEventID` (or `resync` when they
    /// are no longer all known, e.g. after a restart) and a stream of every later change.
    /// The stream ends when ``unsubscribe(_:)`` is called.
    func subscribe(lastEventID: String?) -> (id: UUID, missed: [IndexChange], resync: Bool, stream: AsyncStream<IndexChange>) {
        let (stream, continuation) = AsyncStream.makeStream(of: IndexChange.self, bufferingPolicy: .bufferingOldest(4096))
        let id = UUID()
        subscribers[id] = continuation
        guard let lastEventID else { return (id, [], false, stream) }
        let parts = lastEventID.split(separator: ".")
        guard parts.count == 2, parts[0] == bootID, let sequence = Int(parts[1]), sequence <= lastSequence else {
            return (id, [], true, stream)
        }
        let oldest = log.first?.sequence ?? nextSequence
        guard sequence + 1 >= oldest else { return (id, [], true, stream) }
        return (id, log.filter { $0.sequence > sequence }, false, stream)
    }

    func unsubscribe(_ id: UUID) {
        subscribers.removeValue(forKey: id)?.finish()
    }

    /// Ends every subscription (shutdown).
    func finishAll() {
        for continuation in subscribers.values { continuation.finish() }
        subscribers.removeAll()
    }
}

extension ImageRecord {
    /// Moves to `state` unless the record is already further along.
    mutating func advance(to state: ImageState, error: String? = nil) {
        guard state >= self.state else { return }
        if state == .failed, self.state == .failed, self.error != nil { return }
        self.state = state
        self.error = state == .failed ? error : nil
    }
}
