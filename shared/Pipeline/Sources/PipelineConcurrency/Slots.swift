import Synchronization

/// Counts free places (say, images a processor works on at once); ``waitForFree()`` suspends
/// while none is free.
public final class Slots: Sendable {
    private let state: Mutex<(free: Int, waiters: [CheckedContinuation<Void, Never>])>

    public init(_ count: Int) {
        state = Mutex((count, []))
    }

    public var free: Int { state.withLock { $0.free } }

    /// Waits for at least one free place and returns how many there are.
    public func waitForFree() async -> Int {
        while true {
            let free = state.withLock { $0.free }
            if free > 0 { return free }
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.free > 0 { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// Takes one place (the caller saw one free).
    public func take() {
        state.withLock { $0.free -= 1 }
    }

    /// Gives one place back and wakes the waiters.
    public func release() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.free += 1
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
