import PipelineConcurrency
import Testing

@Suite struct VerdictTests {
    @Test func acceptedFirstCannotBeAbandoned() {
        let verdict = Verdict()
        #expect(verdict.accept())
        #expect(verdict.accept(), "accepting again agrees")
        #expect(!verdict.abandon(), "the deadline learns it came too late")
    }

    @Test func abandonedFirstCannotBeAccepted() {
        let verdict = Verdict()
        #expect(verdict.abandon())
        #expect(!verdict.accept(), "the work learns its answer was 503")
    }

    @Test func aRaceHasExactlyOneWinner() async {
        for _ in 0..<100 {
            let verdict = Verdict()
            async let accepted = verdict.accept()
            async let abandoned = verdict.abandon()
            let (a, b) = await (accepted, abandoned)
            #expect(a != b)
        }
    }
}
