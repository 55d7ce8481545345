import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import PipelineContract
import PipelineTestSupport
import Testing

@testable import Notifier

@Suite struct DownloadTests {
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

    @Test func zip64EndRecordsOnceThereAreTooManyEntriesForTheClassicOnes() throws {
        var zip = ZipStreamWriter()
        var bytes: [UInt8] = []
        for i in 0..<70_000 {
            bytes += Array(zip.beginEntry(name: "\(i).png", modified: Date(timeIntervalSince1970: 0)).readableBytesView)
            let chunk = ByteBuffer(bytes: [UInt8(i & 0xFF)])
            zip.add(chunk)
            bytes += Array(chunk.readableBytesView)
            bytes += Array(try zip.endEntry().readableBytesView)
        }
        bytes += Array(zip.finish().readableBytesView)
        let entries = try ZipReader.entries(bytes)
        #expect(entries.count == 70_000)
        #expect(entries[69_999].name == "69999.png" && entries[69_999].data == [UInt8(69_999 & 0xFF)])
    }
}

/// Reads an archive the way unzip does: from the end records to the central directory, then each
/// entry's local header, data and data descriptor, checking the CRC-32 of each.
enum ZipReader {
    struct Entry {
        var name: String
        var method: UInt16
        var data: [UInt8]
    }

    struct Malformed: Error { var what: String }

    static func entries(_ zip: [UInt8]) throws -> [Entry] {
        func u16(_ at: Int) -> Int { Int(zip[at]) | Int(zip[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        func u64(_ at: Int) -> Int { u32(at) | u32(at + 4) << 32 }
        let end = zip.count - 22
        guard end >= 0, u32(end) == 0x0605_4B50 else { throw Malformed(what: "end of central directory") }
        var count = u16(end + 10)
        var directory = u32(end + 16)
        if count == 0xFFFF || directory == 0xFFFF_FFFF {
            let locator = end - 20
            guard u32(locator) == 0x0706_4B50 else { throw Malformed(what: "ZIP64 locator") }
            let record = u64(locator + 8)
            guard u32(record) == 0x0606_4B50 else { throw Malformed(what: "ZIP64 end record") }
            count = u64(record + 32)
            directory = u64(record + 48)
        }
        var entries: [Entry] = []
        var at = directory
        for _ in 0..<count {
            guard u32(at) == 0x0201_4B50 else { throw Malformed(what: "central directory entry") }
            let method = UInt16(u16(at + 10))
            let crc = UInt32(u32(at + 16))
            let size = u32(at + 24)
            let nameLength = u16(at + 28), extraLength = u16(at + 30), commentLength = u16(at + 32)
            var local = u32(at + 42)
            if local == 0xFFFF_FFFF { local = u64(at + 46 + nameLength + 4) }
            let name = String(decoding: zip[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
            guard u32(local) == 0x0403_4B50 else { throw Malformed(what: "local header of \(name)") }
            let start = local + 30 + u16(local + 26) + u16(local + 28)
            let data = Array(zip[start..<(start + size)])
            guard CRC32.checksum(data) == crc else { throw Malformed(what: "CRC of \(name)") }
            guard u32(start + size) == 0x0807_4B50, UInt32(u32(start + size + 4)) == crc else { throw Malformed(what: "descriptor of \(name)") }
            entries.append(Entry(name: name, method: method, data: data))
            at += 46 + nameLength + extraLength + commentLength
        }
        return entries
    }
}
