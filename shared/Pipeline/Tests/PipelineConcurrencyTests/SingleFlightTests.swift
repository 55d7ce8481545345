import PipelineConcurrency
import Testing

@Suite struct SingleFlightTests {
    @Test func callersMeanwhileShareTheRunningOperation() async throws {
        let flight = SingleFlight()
        let runs = Shared(0)
        let started = Gate()
        let release = Gate()
        let first = Task {
            try await flight.run {
                runs.set(runs.value + 1)
                started.open()
                await release.wait()
            }
        }
        await started.wait()
        let second = Task { try await flight.run { runs.set(runs.value + 1) } }
        release.open()
        try await first.value
        try await second.value
        #expect(runs.value == 1, "the second caller waited for the first run")
        try await flight.run { runs.set(runs.value + 1) }
        #expect(runs.value == 2, "a caller after it runs again")
    }

    @Test func callersMeanwhileShareItsFailure() async {
        struct Broken: Error {}
        let flight = SingleFlight()
        await #expect(throws: Broken.self) { try await flight.run { throw Broken() } }
        await #expect(throws: Never.self) { try await flight.run {} }
    }
}
