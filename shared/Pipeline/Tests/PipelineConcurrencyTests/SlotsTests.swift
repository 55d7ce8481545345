import PipelineConcurrency
import Testing

@Suite struct SlotsTests {
    @Test func waitSuspendsWhileNoneIsFree() async {
        let slots = Slots(2)
        #expect(await slots.waitForFree() == 2)
        slots.take()
        slots.take()
        #expect(slots.free == 0)
        let waiter = Task { await slots.waitForFree() }
        slots.release()
        #expect(await waiter.value == 1)
    }

    @Test func everyWaiterWakesOnARelease() async {
        let slots = Slots(1)
        slots.take()
        let waiters = (0..<3).map { _ in Task { await slots.waitForFree() } }
        slots.release()
        for waiter in waiters { #expect(await waiter.value == 1) }
    }
}
