import Foundation
import Logging
import PipelineContract
import ServiceLifecycle

/// The pipeline as a whole, for the page's panel: the input queue's backlog, each dead-letter
/// queue's count, and outcomes per minute over the last `windowMinutes`.
///
/// Queue depths come from one GetQueueAttributes call per queue every `pollInterval`, never per
/// image. Outcomes are counted from the image table's stream (``noteOutcome(_:of:at:)``), which
/// every notifier follows, so each replica's panel counts every outcome, once.
/// Subscribers (the event streams) get the snapshot when they subscribe and whenever it changes,
/// at most once a second.
actor PipelineMonitor {
    /// A queue to watch and what its numbers mean.
    struct Watched: Sendable {
        var queue: any MessageQueue
        var depth: QueueDepth?
        var error: String?
    }

    private var input: Watched
    private var deadLetters: [Watched]
    let pollInterval: Duration
    let windowMinutes: Int
    private let logger: Logger
    /// Outcomes per minute since 1970 (the key), only those of the window.
    private var minutes: [Int: (processed: Int, failed: Int)] = [:]
    /// When each image of the last 60 seconds was processed, oldest first.
    private var recentProcessed: [Date] = []
    /// The outcome counted for each image of the window, to count it once.
    private var counted: [String: ImageState] = [:]
    private var countedAt: [(date: Date, imageID: String)] = []
    private var lastPoll: Date?
    private var imageListAvailable = true
    private var lastPublished: PipelineSnapshot?
    private var subscribers: [UUID: AsyncStream<PipelineSnapshot>.Continuation] = [:]

    init(inputQueue: any MessageQueue, deadLetterQueues: [any MessageQueue], pollInterval: Duration = .seconds(5),
         windowMinutes: Int = 15, logger: Logger) {
        input = Watched(queue: inputQueue)
        deadLetters = deadLetterQueues.map { Watched(queue: $0) }
        self.pollInterval = pollInterval
        self.windowMinutes = windowMinutes
        self.logger = logger
    }

    // MARK: Facts

    /// An image reached `state` (processed or failed) at `date`. The stream may tell a change
    /// more than once (and every later change of the item repeats its state): each image's
    /// outcome is counted once.
    func noteOutcome(_ state: ImageState, of imageID: String, at date: Date = Date()) {
        guard state != .queued, counted[imageID] != state else { return }
        counted[imageID] = state
        let minute = Self.minute(of: date)
        var counts = minutes[minute] ?? (0, 0)
        if state == .processed {
            counts.processed += 1
            recentProcessed.append(date)
            recentProcessed.sort()
        } else {
            counts.failed += 1
        }
        minutes[minute] = counts
        countedAt.append((date, imageID))
    }

    /// Whether the image table took the last events (the page warns while it does not).
    func noteImageTable(available: Bool) {
        imageListAvailable = available
    }

    /// Reads every watched queue's depth, one call each. A queue that cannot be read keeps no
    /// stale number: it shows as unknown, with the reason.
    func poll(at date: Date = Date()) async {
        lastPoll = date
        input = await Self.read(input, logger: logger)
        var updated: [Watched] = []
        for watched in deadLetters { updated.append(await Self.read(watched, logger: logger)) }
        deadLetters = updated
    }

    private static func read(_ watched: Watched, logger: Logger) async -> Watched {
        var watched = watched
        do {
            watched.depth = try await watched.queue.depth()
            watched.error = nil
        } catch {
            if watched.error == nil {
                logger.warning("reading a queue's depth failed", metadata: ["queue": .string(watched.queue.name), "error": .string("\(error)")])
            }
            watched.depth = nil
            watched.error = "\(watched.queue.name) could not be read"
        }
        return watched
    }

    // MARK: Reading

    /// The numbers as of `date`.
    func snapshot(at date: Date = Date()) -> PipelineSnapshot {
        prune(at: date)
        let now = Self.minute(of: date)
        let range = (now - windowMinutes + 1)...now
        let processed = range.map { minutes[$0]?.processed ?? 0 }
        let failed = range.map { minutes[$0]?.failed ?? 0 }
        return PipelineSnapshot(
            updatedAt: lastPoll, pollSeconds: max(1, Int((pollInterval / .seconds(1)).rounded())), windowMinutes: windowMinutes,
            input: .init(name: input.queue.name, visible: input.depth?.visible, inFlight: input.depth?.inFlight, error: input.error),
            deadLetter: deadLetters.map { .init(name: $0.queue.name, messages: $0.depth.map { $0.visible + $0.inFlight }, error: $0.error) },
            processedPerMinute: processed, failedPerMinute: failed, processedLastMinute: recentProcessed.count,
            processedInWindow: processed.reduce(0, +), failedInWindow: failed.reduce(0, +), imageListAvailable: imageListAvailable
        )
    }

    private func prune(at date: Date) {
        let oldest = Self.minute(of: date) - windowMinutes + 1
        minutes = minutes.filter { $0.key >= oldest }
        let windowStart = Date(timeIntervalSince1970: TimeInterval(oldest * 60))
        while let first = countedAt.first, first.date < windowStart {
            countedAt.removeFirst()
            counted[first.imageID] = nil
        }
        let cutoff = date.addingTimeInterval(-60)
        if let keep = recentProcessed.firstIndex(where: { $0 > cutoff }) {
            recentProcessed.removeFirst(keep)
        } else {
            recentProcessed.removeAll()
        }
    }

    static func minute(of date: Date) -> Int { Int((date.timeIntervalSince1970 / 60).rounded(.down)) }

    // MARK: Subscribing

    /// The current snapshot, then each changed one, until ``unsubscribe(_:)``.
    func subscribe() -> (id: UUID, stream: AsyncStream<PipelineSnapshot>) {
        let (stream, continuation) = AsyncStream.makeStream(of: PipelineSnapshot.self, bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        subscribers[id] = continuation
        continuation.yield(snapshot())
        return (id, stream)
    }

    func unsubscribe(_ id: UUID) {
        subscribers.removeValue(forKey: id)?.finish()
    }

    func finishAll() {
        for continuation in subscribers.values { continuation.finish() }
        subscribers.removeAll()
    }

    /// Sends the snapshot to every subscriber when its numbers changed since the last one sent.
    func publishIfChanged(at date: Date = Date()) {
        let current = snapshot(at: date)
        guard lastPublished.map({ !$0.sameNumbers(as: current) }) ?? true else { return }
        lastPublished = current
        for continuation in subscribers.values { continuation.yield(current) }
    }

    /// Polls the queues every `pollInterval` and publishes changes once a second (outcomes move
    /// the counts between polls; the window moves with the clock), until cancelled.
    func run() async {
        while !Task.isCancelled {
            let now = Date()
            if lastPoll.map({ now.timeIntervalSince($0) >= pollInterval / .seconds(1) }) ?? true {
                await poll(at: now)
            }
            publishIfChanged()
            try? await Task.sleep(for: .seconds(1))
        }
        finishAll()
    }
}

/// Runs the monitor for the application's lifetime.
struct PipelineMonitorService: Service {
    let monitor: PipelineMonitor

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await monitor.run()
        }
    }
}
