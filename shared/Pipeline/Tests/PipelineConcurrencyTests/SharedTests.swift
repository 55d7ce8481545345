import PipelineConcurrency
import Testing

@Suite struct SharedTests {
    @Test func tasksSeeTheLastValueSet() async {
        let shared = Shared<Int?>(nil)
        #expect(shared.value == nil)
        await withTaskGroup(of: Void.self) { group in
            for value in 1...10 { group.addTask { shared.set(value) } }
        }
        #expect((1...10).contains(shared.value ?? 0))
        shared.set(42)
        #expect(shared.value == 42)
    }
}
