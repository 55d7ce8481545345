import Synchronization

/// Wakes whoever waits on a fake each time the fake changes, so that a test waits for a
/// condition ("two sends were tried", "the event arrived") instead of sleeping and hoping.
final class ChangeSignal: Sendable {
    private struct State {
        var version = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Called by the fake after each change.
    func changed() {
        let waiters = state.withLock { state in
            state.version += 1
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until `condition` holds, checked now and after each change, for `limit` at most.
    /// - Returns: whether it held.
    func wait(atMost limit: Duration, until condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + limit
        // Wakes the waiter once at the deadline, so that it can give up.
        let alarm = Task { [self] in
            try? await Task.sleep(until: deadline)
            changed()
        }
        defer { alarm.cancel() }
        while true {
            let seen = state.withLock { $0.version }
            if condition() { return true }
            if ContinuousClock.now >= deadline { return false }
            await withCheckedContinuation { continuation in
                // A change since `seen` may have made the condition true: look again at once.
                let missed = state.withLock { state in
                    guard state.version == seen else { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if missed { continuation.resume() }
            }
        }
    }
}
