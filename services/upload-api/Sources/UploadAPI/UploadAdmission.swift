import Synchronization

/// How many uploads one task takes at once (MAX_UPLOADS_IN_PROGRESS). Each holds up to one
/// part buffer (5 MiB) while it streams to S3, so the limit bounds the task's memory; past it a
/// request is answered 503 with Retry-After before a byte of its body is read.
final class UploadAdmission: Sendable {
    let limit: Int
    private let inProgress = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Runs `body` if fewer than ``limit`` uploads are in progress; returns nil without running it
    /// otherwise.
    func admit<Value>(_ body: () async throws -> Value) async rethrows -> Value? {
        guard inProgress.wrappingAdd(1, ordering: .relaxed).newValue <= limit else {
            inProgress.wrappingSubtract(1, ordering: .relaxed)
            return nil
        }
        defer { inProgress.wrappingSubtract(1, ordering: .relaxed) }
        return try await body()
    }

    /// Uploads in progress now (a gauge).
    var count: Int { inProgress.load(ordering: .relaxed) }
}
