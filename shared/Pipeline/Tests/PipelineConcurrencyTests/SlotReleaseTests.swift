import PipelineConcurrency
import Testing

@Suite struct SlotReleaseTests {
    @Test func releasesItsPlaceOnceHoweverOftenCalled() async {
        let slots = Slots(1)
        slots.take()
        let release = SlotRelease(slots)
        release.release()
        release.release()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<10 { group.addTask { release.release() } }
        }
        #expect(slots.free == 1)
    }
}
