import Foundation
import PipelineConcurrency
import Synchronization

/// Answers "can this service do its work now?" by running its checks (S3 and SQS reachable),
/// remembering the answer for a few seconds so that frequent probes cost the backends nothing.
public final class ReadinessProbe: Sendable {
    public typealias Check = @Sendable () async throws -> Void

    /// One failed check: what and why.
    public struct Failure: Sendable, Equatable {
        public var name: String
        public var reason: String
    }

    let checks: [(name: String, run: Check)]
    let cacheFor: Duration
    let timeout: Duration
    /// What `timeout` is measured on (a manual clock in tests).
    let clock: any Clock<Duration>
    private let cached = Mutex<(at: ContinuousClock.Instant, failures: [Failure])?>(nil)

    /// - Parameters:
    ///   - checks: named checks, run in parallel.
    ///   - cacheFor: how long an answer is reused.
    ///   - timeout: a check taking longer has failed.
    public init(
        checks: [(name: String, run: Check)], cacheFor: Duration = .seconds(3), timeout: Duration = .seconds(2),
        clock: some Clock<Duration> = ContinuousClock()
    ) {
        self.checks = checks
        self.cacheFor = cacheFor
        self.timeout = timeout
        self.clock = clock
    }

    /// The failed checks; empty when ready.
    public func failures() async -> [Failure] {
        let now = ContinuousClock.now
        if let cached = cached.withLock({ $0 }), now - cached.at < cacheFor { return cached.failures }
        let timeout = self.timeout
        let clock = self.clock
        let failures = await withTaskGroup(of: Failure?.self) { group in
            for check in checks {
                group.addTask {
                    do {
                        try await withTimeLimit(timeout, clock: clock) { try await check.run() }
                        return nil
                    } catch {
                        return Failure(name: check.name, reason: String(describing: error))
                    }
                }
            }
            var failures: [Failure] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures.sorted { $0.name < $1.name }
        }
        cached.withLock { $0 = (ContinuousClock.now, failures) }
        return failures
    }
}
