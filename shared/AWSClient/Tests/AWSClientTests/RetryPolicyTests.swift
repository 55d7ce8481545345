import AWSClient
import AWSSigV4
import AWSS3
import AWSSQS
import NIOCore
import NIOHTTP1
import Testing

@Suite struct RetryPolicyTests {
    let configuration = AWSConfiguration(
        credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret"),
        endpoint: AWSEndpoint(scheme: "http", host: "127.0.0.1", port: 4566),
        retry: RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(100), maxDelay: .seconds(1))
    )

    @Test func retriesServerErrorsThenSucceeds() async throws {
        let transport = FakeTransport([
            FakeTransport.ok("<Error><Code>InternalError</Code></Error>", status: 500),
            .error(.transport("connection reset")),
            FakeTransport.ok("", status: 200),
        ])
        let sleeps = SleepRecorder()
        let s3 = S3Client(configuration: configuration, transport: transport, sleep: sleeps.sleep)
        try await s3.deleteObject(bucket: "b", key: "k")
        #expect(transport.requests.count == 3)
        #expect(sleeps.recorded.count == 2)
        #expect(sleeps.recorded[0] <= .milliseconds(100))
        #expect(sleeps.recorded[1] <= .milliseconds(200))
        // Each attempt is signed anew.
        #expect(transport.requests.allSatisfy { $0.headers.first(name: "Authorization") != nil })
    }

    @Test func givesUpAfterMaxAttempts() async throws {
        let transport = FakeTransport(Array(repeating: FakeTransport.ok(#"{"__type":"com.amazonaws.sqs#ThrottlingException"}"#, status: 400), count: 10))
        let sleeps = SleepRecorder()
        let sqs = SQSClient(configuration: configuration, transport: transport, sleep: sleeps.sleep)
        await #expect {
            try await sqs.sendMessage(queueURL: "http://q", body: "x")
        } throws: { error in
            (error as? AWSError)?.serviceCode == "ThrottlingException"
        }
        #expect(transport.requests.count == 4)
        #expect(sleeps.recorded.count == 3)
    }

    @Test func doesNotRetryClientErrors() async throws {
        let transport = FakeTransport([FakeTransport.ok("<Error><Code>AccessDenied</Code><Message>no</Message></Error>", status: 403)])
        let s3 = S3Client(configuration: configuration, transport: transport, sleep: SleepRecorder().sleep)
        await #expect {
            try await s3.headBucket(bucket: "b")
        } throws: { error in
            guard case .service(let service) = error as? AWSError else { return false }
            return service.code == "AccessDenied" && service.statusCode == 403 && service.message == "no"
        }
        #expect(transport.requests.count == 1)
    }

    @Test func backoffIsExponentialCappedAndJittered() {
        let policy = RetryPolicy(maxAttempts: 8, baseDelay: .milliseconds(100), maxDelay: .seconds(2))
        #expect(policy.backoffCeiling(retry: 0) == .milliseconds(100))
        #expect(policy.backoffCeiling(retry: 3) == .milliseconds(800))
        #expect(policy.backoffCeiling(retry: 10) == .seconds(2))
        var generator = SeededGenerator(seed: 42)
        let delays = (0..<200).map { _ in policy.delay(retry: 2, using: &generator) }
        #expect(delays.allSatisfy { $0 >= .zero && $0 <= .milliseconds(400) })
        #expect(Set(delays).count > 150, "full jitter spreads the waits")
        #expect(RetryPolicy.none.maxAttempts == 1)
    }
}

/// SplitMix64, for repeatable jitter in tests.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
