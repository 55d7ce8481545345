import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import PipelineContract
import PipelineService
import PipelineSettings
import PipelineTestSupport
import Testing

@testable import Notifier

/// One result under its name, and every result as one zip.
@Suite struct ImageRoutesDownloadTests {
    let id1 = "cccccccc-0000-4000-8000-000000000001"
    let id2 = "cccccccc-0000-4000-8000-000000000002"
    let id3 = "cccccccc-0000-4000-8000-000000000003"
    let id4 = "cccccccc-0000-4000-8000-000000000004"

    @Test func oneResultDownloadsUnderItsName() async throws {
        let harness = try NotifierHarness()
        try await harness.upload(id1, "holiday photo.png")
        try await harness.process(id1, "holiday photo.png", bytes: [7, 7])
        try await harness.upload(id2, "waiting.png")
        try await harness.consumer.consumeOnce()
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/images/\(id1)/download", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentDisposition] == "attachment; filename=\"holiday photo-bw.png\"; filename*=UTF-8''holiday%20photo-bw.png")
                #expect(response.headers[.contentType] == "image/png")
                #expect(Array(response.body.readableBytesView) == [7, 7])
            }
            try await client.execute(uri: "/api/images/\(id2)/download", method: .get) { response in
                #expect(response.status == .notFound)
                let body = try jsonObject(response.body)
                #expect(body["error"] as? String == "not_processed")
            }
        }
    }

    @Test func theArchiveHoldsExactlyTheProcessedResultsStored() async throws {
        let harness = try NotifierHarness()
        let big = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try await harness.upload(id1, "a.png")
        try await harness.process(id1, "a.png", bytes: [1, 2, 3])
        try await harness.upload(id2, "a.png")
        try await harness.process(id2, "a.png", bytes: big)
        try await harness.upload(id3, "été.png")
        try await harness.process(id3, "été.png", bytes: [4])
        try await harness.upload(id4, "failed.png")
        try await harness.fail(id4, "failed.png")
        while try await harness.consumer.consumeOnce() > 0 {}
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/results.zip", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/zip")
                #expect(response.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"binarized-results.zip\"") == true)
                let entries = try ZipReader.entries(Array(response.body.readableBytesView))
                #expect(Set(entries.map(\.name)) == ["a-bw.png", "a-bw-2.png", "été-bw.png"])
                #expect(entries.allSatisfy { $0.method == 0 })
                let bodies = Set(entries.map(\.data))
                #expect(bodies == [[1, 2, 3], big, [4]])
            }
        }
    }

    @Test func theArchiveStopsAtItsLimitsAndSaysSo() async throws {
        var harness = try NotifierHarness()
        for id in [id1, id2, id3] {
            try await harness.upload(id, "a.png")
            try await harness.process(id, "a.png", bytes: [1, 2, 3])
        }
        for (limits, results) in [(NotifierConfiguration.ZipLimits(images: 2, bytes: 1 << 20), 2), (.init(images: 100, bytes: 4), 1), (.init(images: 3, bytes: 9), 3)] {
            harness.configuration.zipLimits = limits
            try await harness.application.test(.router) { client in
                try await client.execute(uri: "/api/results.zip", method: .get) { response in
                    #expect(response.headers[.xArchiveLimits] == "images=\(limits.images), bytes=\(limits.bytes)")
                    let entries = try ZipReader.entries(Array(response.body.readableBytesView))
                    let pngs = entries.filter { $0.name.hasSuffix(".png") }
                    #expect(pngs.count == results, "\(limits)")
                    let note = entries.first { $0.name == "MORE-RESULTS.txt" }
                    if results < 3 {
                        let text = String(decoding: try #require(note).data, as: UTF8.self)
                        #expect(text.contains("your \(results) newest results"))
                    } else {
                        #expect(note == nil, "everything fits: no note")
                    }
                }
            }
        }
    }

    @Test func anEmptyArchiveIsStillAnArchive() async throws {
        let harness = try NotifierHarness()
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/results.zip", method: .get) { response in
                let entries = try ZipReader.entries(Array(response.body.readableBytesView))
                #expect(entries.isEmpty)
            }
        }
    }

    @Test func anUnreachableStoreIs503BeforeAnyByte() async throws {
        let harness = try NotifierHarness()
        harness.processed.fail(.reachability)
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/results.zip", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
            }
        }
    }
}
