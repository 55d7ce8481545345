import PipelineContract
import Synchronization

/// A ``UsageLedger`` in memory, counting as the table's conditional writes do.
public final class InMemoryUsageLedger: UsageLedger {
    private let counts = Mutex<[String: DailyUsage]>([:])
    private let failure = Mutex<ImageTableError?>(nil)

    public init() {}

    /// Makes every later call throw `error` (nil heals it), as an unreachable table would.
    public func fail(with error: ImageTableError? = .unavailable(reason: "connection refused")) {
        failure.withLock { $0 = error }
    }

    private func check() throws(ImageTableError) {
        if let error = failure.withLock({ $0 }) { throw error }
    }

    private static func key(_ owner: String, _ day: UsageDay) -> String { day.text + "|" + owner }

    public func countUpload(owner: String, on day: UsageDay, pixels: Int, within allowance: DailyAllowance) async throws -> DailyUsage? {
        try check()
        return counts.withLock { counts in
            let usage = counts[Self.key(owner, day)] ?? DailyUsage()
            guard usage.admits(pixels: pixels, within: allowance) else { return usage }
            counts[Self.key(owner, day)] = DailyUsage(uploads: usage.uploads + 1, bytes: usage.bytes, pixels: usage.pixels + pixels)
            return nil
        }
    }

    public func countBytes(_ bytes: Int, owner: String, on day: UsageDay) async throws {
        try check()
        counts.withLock { $0[Self.key(owner, day), default: DailyUsage()].bytes += bytes }
    }

    public func usage(owner: String, on day: UsageDay) async throws -> DailyUsage {
        try check()
        return counts.withLock { $0[Self.key(owner, day)] ?? DailyUsage() }
    }

    public func checkReachable() async throws {
        try check()
    }
}
