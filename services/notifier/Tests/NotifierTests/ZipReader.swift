import Foundation
import PipelineContract

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
