import PipelineConcurrency
import Testing

@Suite struct GateTests {
    @Test func waitersPassOnlyOnceItOpens() async {
        let gate = Gate()
        let passed = Shared(false)
        let waiters = (0..<3).map { _ in Task { await gate.wait(); passed.set(true) } }
        await Task.yield()
        #expect(!gate.isOpen)
        #expect(!passed.value)
        gate.open()
        for waiter in waiters { await waiter.value }
        #expect(gate.isOpen)
        #expect(passed.value)
    }

    @Test func anOpenGateLetsThroughAtOnceAndOpensOnce() async {
        let gate = Gate.opened()
        await gate.wait()
        gate.open()  // again: nothing happens
        #expect(gate.isOpen)
    }
}
