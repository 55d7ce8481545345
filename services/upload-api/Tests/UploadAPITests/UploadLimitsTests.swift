import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import PipelineContract
import PipelineSettings
import PipelineTestSupport
import Testing

@testable import UploadAPI

/// What one owner and one task may upload: the day's allowance (429 until midnight UTC), uploads at
/// once (503), and a ledger that cannot be reached (503); each refusal stores and queues nothing.
@Suite struct UploadLimitsTests {
    static let png = TestPNG.make(width: 16, height: 9)

    static func upload(_ harness: UploadHarness, check: @escaping @Sendable (TestResponse) throws -> Void) async throws {
        try await harness.send(headers: [.contentType: "image/png"], body: png, check: check)
    }

    @Test func theDaysUploadsAreCountedAndThenRefused() async throws {
        var harness = try UploadHarness()
        harness.configuration.dailyAllowance = DailyAllowance(uploads: 2, bytes: 1 << 30, pixels: 1 << 40)
        for _ in 0..<2 {
            try await Self.upload(harness) { response in #expect(response.status == .accepted) }
        }
        try await Self.upload(harness) { response in
            #expect(response.status == .tooManyRequests)
            let body = String(buffer: response.body)
            #expect(body.contains(#""error":"daily_limit_reached""#))
            #expect(body.contains("2 of 2 uploads"))
            let retryAfter = try #require(response.headers[.retryAfter].flatMap { Int($0) })
            #expect((1...86_400).contains(retryAfter), "until midnight UTC")
        }
        #expect(harness.store.keys.count == 2)
        #expect(harness.queue.bodies.count == 2)
        let usage = try await harness.ledger.usage(owner: "local", on: UsageDay(Date()))
        #expect(usage == DailyUsage(uploads: 2, bytes: 2 * Self.png.count, pixels: 2 * 144))
    }

    @Test func pixelsWeighAgainstTheAllowance() async throws {
        var harness = try UploadHarness()
        // 16×9 = 144 pixels an image: the allowance holds two.
        harness.configuration.dailyAllowance = DailyAllowance(uploads: 100, bytes: 1 << 30, pixels: 300)
        for _ in 0..<2 {
            try await Self.upload(harness) { response in #expect(response.status == .accepted) }
        }
        try await Self.upload(harness) { response in
            #expect(response.status == .tooManyRequests)
            #expect(String(buffer: response.body).contains("(pixels)"))
        }
        #expect(harness.store.keys.count == 2)
    }

    @Test func bytesReachedRefuseTheNextUpload() async throws {
        var harness = try UploadHarness()
        harness.configuration.dailyAllowance = DailyAllowance(uploads: 100, bytes: Self.png.count, pixels: 1 << 40)
        try await Self.upload(harness) { response in #expect(response.status == .accepted) }
        try await Self.upload(harness) { response in
            #expect(response.status == .tooManyRequests)
            #expect(String(buffer: response.body).contains("(bytes)"))
        }
    }

    @Test func aLedgerThatCannotBeReachedRefusesWith503() async throws {
        let harness = try UploadHarness()
        harness.ledger.fail()
        try await Self.upload(harness) { response in
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] != nil)
        }
        #expect(harness.store.keys.isEmpty)
        #expect(harness.queue.bodies.isEmpty)
    }

    @Test func uploadsPastTheTasksLimitAreAskedToWait() async throws {
        var harness = try UploadHarness()
        harness.configuration.maxUploadsInProgress = 1
        harness.configuration.maxUploadsInProgressPerOwner = 1
        harness.store.delay(.put, by: .milliseconds(800))
        let png = Self.png
        try await harness.application.test(.router) { client in
            async let first = client.execute(
                uri: "/upload", method: .post, headers: [.contentType: "image/png"], body: ByteBuffer(bytes: png)
            )
            try await Task.sleep(for: .milliseconds(200))
            let second = try await client.execute(uri: "/upload", method: .post, headers: [.contentType: "image/png"], body: ByteBuffer(bytes: png))
            #expect(second.status == .serviceUnavailable)
            #expect(String(buffer: second.body).contains(#""error":"busy""#))
            #expect(second.headers[.retryAfter] != nil)
            let firstStatus = try await first.status
            #expect(firstStatus == .accepted)
        }
        #expect(harness.store.keys.count == 1)
    }

    @Test func admissionCountsWhatIsInProgressPerTaskAndOwner() async throws {
        let admission = UploadAdmission(limit: 3, perOwner: 2)
        try await admission.admit(owner: "ann") {
            try await admission.admit(owner: "ann") {
                await #expect(throws: UploadAdmission.Refused(perOwner: true, limit: 2)) {
                    try await admission.admit(owner: "ann") {}
                }
                try await admission.admit(owner: "bob") {
                    #expect(admission.count == 3)
                    await #expect(throws: UploadAdmission.Refused(perOwner: false, limit: 3)) {
                        try await admission.admit(owner: "cem") {}
                    }
                }
            }
        }
        #expect(admission.count == 0)
        try await admission.admit(owner: "ann") {}
    }

    @Test func anOwnerRefusedForTheDayIsRefusedWithoutTheLedger() async throws {
        var harness = try UploadHarness()
        harness.configuration.dailyAllowance = DailyAllowance(uploads: 1, bytes: 1 << 30, pixels: 1 << 40)
        let ledger = harness.ledger
        try await harness.application.test(.router) { client in
            let headers: HTTPFields = [.contentType: "image/png"]
            let first = try await client.execute(uri: "/upload", method: .post, headers: headers, body: ByteBuffer(bytes: Self.png))
            #expect(first.status == .accepted)
            let second = try await client.execute(uri: "/upload", method: .post, headers: headers, body: ByteBuffer(bytes: Self.png))
            #expect(second.status == .tooManyRequests)
            // The ledger is gone now; the refusal of the day still stands, from this task's memory.
            ledger.fail()
            let third = try await client.execute(uri: "/upload", method: .post, headers: headers, body: ByteBuffer(bytes: Self.png))
            #expect(third.status == .tooManyRequests)
            #expect(String(buffer: third.body).contains("1 of 1 uploads"))
        }
    }
}
