@testable import AWSClient
import AWSS3
import AWSSigV4
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// ECS task-role credentials: read from the container endpoint, used to sign, fetched again
/// before they expire, without restarting anything.
@Suite struct ContainerCredentialsProviderTests {
    static func answer(key: String, expiration: String) -> FakeTransport.Answer {
        FakeTransport.ok(#"{"AccessKeyId":"\#(key)","SecretAccessKey":"secret-\#(key)","Token":"token-\#(key)","Expiration":"\#(expiration)"}"#)
    }

    @Test func requestsAreSignedWithTheRolesCredentialsAndRefreshedBeforeTheyExpire() async throws {
        let clock = Clock(Date(timeIntervalSince1970: 2_000_000_000))  // 2033-05-18T03:33:20Z
        let provider = ContainerCredentialsProvider(url: "http://169.254.170.2/v2/credentials/abc", refreshMargin: 300, now: { clock.now })
        let transport = FakeTransport([
            Self.answer(key: "FIRST", expiration: "2033-05-18T04:33:20Z"),  // an hour
            FakeTransport.ok(""), FakeTransport.ok(""),
            Self.answer(key: "SECOND", expiration: "2033-05-18T05:33:20Z"),
            FakeTransport.ok(""),
        ])
        let configuration = AWSConfiguration(
            credentials: AWSCredentials(accessKeyID: "", secretAccessKey: ""), credentialsProvider: provider,
            endpoint: AWSEndpoint(scheme: "http", host: "127.0.0.1", port: 4566), retry: .none
        )
        let s3 = S3Client(configuration: configuration, transport: transport)
        try await s3.deleteObject(bucket: "b", key: "one")
        try await s3.deleteObject(bucket: "b", key: "two")
        clock.advance(by: 3_400)  // 200 s before expiry: inside the refresh margin
        try await s3.deleteObject(bucket: "b", key: "three")
        let requests = transport.requests
        #expect(requests.map(\.operation) == ["ContainerCredentials", "S3.DeleteObject", "S3.DeleteObject", "ContainerCredentials", "S3.DeleteObject"])
        #expect(requests[1].headers.first(name: "Authorization")?.contains("Credential=FIRST/") == true)
        #expect(requests[1].headers.first(name: "X-Amz-Security-Token") == "token-FIRST")
        #expect(requests[2].headers.first(name: "Authorization")?.contains("Credential=FIRST/") == true)
        #expect(requests[4].headers.first(name: "Authorization")?.contains("Credential=SECOND/") == true)
    }

    @Test func credentialsStillValidOutliveAFailingEndpoint() async throws {
        let clock = Clock(Date(timeIntervalSince1970: 2_000_000_000))
        let provider = ContainerCredentialsProvider(url: "http://169.254.170.2/c", refreshMargin: 300, now: { clock.now })
        let transport = FakeTransport([Self.answer(key: "ONLY", expiration: "2033-05-18T03:43:20Z"), .error(.transport("agent down"))])
        #expect(try await provider.credentials(using: transport).accessKeyID == "ONLY")
        clock.advance(by: 400)  // 200 s left: a refresh is due and fails
        #expect(try await provider.credentials(using: transport).accessKeyID == "ONLY")
        clock.advance(by: 300)  // expired
        await #expect(throws: AWSError.self) { try await provider.credentials(using: transport) }
    }
}

/// A settable clock for expiry.
final class Clock: Sendable {
    private let state: Mutex<Date>
    init(_ start: Date) { state = Mutex(start) }
    var now: Date { state.withLock { $0 } }
    func advance(by seconds: TimeInterval) { state.withLock { $0 += seconds } }
}
