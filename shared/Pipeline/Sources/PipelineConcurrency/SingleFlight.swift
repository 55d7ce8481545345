/// Runs one operation at a time; callers arriving meanwhile wait for the running one's outcome
/// instead of starting their own (the notifier's index rebuild on POST /api/refresh).
public actor SingleFlight {
    private var running: Task<Void, any Error>?

    public init() {}

    public func run(_ operation: @escaping @Sendable () async throws -> Void) async throws {
        if let running { return try await running.value }
        let task = Task { try await operation() }
        running = task
        defer { running = nil }
        try await task.value
    }
}
