import Synchronization

/// How many uploads one task takes at once (MAX_UPLOADS_IN_PROGRESS), and one owner of them
/// (MAX_UPLOADS_IN_PROGRESS_PER_OWNER). Each holds up to one part buffer (5 MiB) while it streams
/// to S3, so the first bounds the task's memory; the second keeps one owner (a client sending
/// bodies slowly, or many at once) from holding every place. Past either, a request is refused
/// before a byte of its body is read: 503 when the task is full, 429 when the owner is.
final class UploadAdmission: Sendable {
    let limit: Int
    let perOwner: Int
    private let inProgress = Mutex<(total: Int, owners: [String: Int])>((0, [:]))

    /// The upload was not taken: this task (`perOwner` false) or this owner has as many as allowed.
    struct Refused: Error, Equatable {
        var perOwner: Bool
        var limit: Int
    }

    init(limit: Int, perOwner: Int) {
        self.limit = limit
        self.perOwner = perOwner
    }

    /// Runs `body` as one of `owner`'s uploads in progress, or throws ``Refused`` without running it.
    func admit<Value>(owner: String, _ body: () async throws -> Value) async throws -> Value {
        try inProgress.withLock { state throws(Refused) in
            guard state.total < limit else { throw Refused(perOwner: false, limit: limit) }
            guard state.owners[owner, default: 0] < perOwner else { throw Refused(perOwner: true, limit: perOwner) }
            state.total += 1
            state.owners[owner, default: 0] += 1
        }
        defer {
            inProgress.withLock { state in
                state.total -= 1
                let left = state.owners[owner, default: 1] - 1
                state.owners[owner] = left > 0 ? left : nil
            }
        }
        return try await body()
    }

    /// Uploads in progress now.
    var count: Int { inProgress.withLock { $0.total } }
}
