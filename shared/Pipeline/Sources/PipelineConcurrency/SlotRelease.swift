import Synchronization

/// Gives one taken place of ``Slots`` back, once, however often it is called: when the place may
/// be freed early (a processor's result is stored) and again at the end of the work.
public final class SlotRelease: Sendable {
    private let slots: Slots
    private let released = Atomic(false)

    public init(_ slots: Slots) {
        self.slots = slots
    }

    public func release() {
        if !released.exchange(true, ordering: .relaxed) { slots.release() }
    }
}
