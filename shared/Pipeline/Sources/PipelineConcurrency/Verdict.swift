import Synchronization

/// An outcome decided once, by whichever of two parties comes first: the work that accepts, or
/// the deadline that abandons. The one that comes second learns it came too late.
///
/// The upload API decides each upload's answer with it: 202 once its message is queued, 503 when
/// the deadline comes first (docs/design.md#upload-api).
public final class Verdict: Sendable {
    private enum State { case open, accepted, abandoned }
    private let state = Mutex(State.open)

    public init() {}

    /// Accepts; false if it was abandoned first.
    public func accept() -> Bool { decide(.accepted) }

    /// Abandons; false if it was accepted first.
    public func abandon() -> Bool { decide(.abandoned) }

    private func decide(_ answer: State) -> Bool {
        state.withLock { state in
            if state == .open { state = answer }
            return state == answer
        }
    }
}
