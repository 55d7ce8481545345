import PipelineContract
import Synchronization

/// Owners whose allowance of a day is spent on uploads or bytes (counts only grow within a day),
/// kept by this task so that their further uploads are refused without a call to the ledger.
/// Pixels are not kept: a smaller image may still fit what is left.
final class SpentAllowances: Sendable {
    /// More owners than this, and the entries of past days are dropped first.
    let capacity: Int
    private let refusals = Mutex<[String: (day: UsageDay, usage: DailyUsage)]>([:])

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// The usage that refused `owner` on `day`, if this task saw it.
    func refusal(owner: String, on day: UsageDay) -> DailyUsage? {
        refusals.withLock { refusals in
            guard let entry = refusals[owner], entry.day == day else { return nil }
            return entry.usage
        }
    }

    func record(_ usage: DailyUsage, owner: String, on day: UsageDay) {
        refusals.withLock { refusals in
            if refusals.count >= capacity { refusals = refusals.filter { $0.value.day == day } }
            if refusals.count < capacity { refusals[owner] = (day, usage) }
        }
    }
}
