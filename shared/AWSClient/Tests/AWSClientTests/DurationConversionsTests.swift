@testable import AWSClient
import Testing

/// Durations keep their fractions on the way to nanoseconds, seconds and messages.
@Suite struct DurationConversionsTests {
    @Test func subSecondDurationsKeepTheirFraction() {
        #expect(Duration.milliseconds(500).totalNanoseconds == 500_000_000)
        #expect(Duration.milliseconds(1_250).totalNanoseconds == 1_250_000_000)
        #expect(Duration.milliseconds(500).totalSeconds == 0.5)
        #expect(AWSError.timeout(operation: "S3.GetObject", seconds: Duration.milliseconds(1_500).totalSeconds).description
            == "S3.GetObject got no answer within 1.5 s")
    }
}
