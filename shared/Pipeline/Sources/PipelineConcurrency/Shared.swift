import Synchronization

/// A value that closures and tasks share, read and replaced under a lock.
public final class Shared<Value: Sendable>: Sendable {
    private let state: Mutex<Value>

    public init(_ value: Value) {
        state = Mutex(value)
    }

    public var value: Value { state.withLock { $0 } }

    public func set(_ value: Value) {
        state.withLock { $0 = value }
    }
}
