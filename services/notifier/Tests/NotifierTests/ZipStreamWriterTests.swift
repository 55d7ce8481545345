import Foundation
import NIOCore
import Testing

@testable import Notifier

@Suite struct ZipStreamWriterTests {
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
