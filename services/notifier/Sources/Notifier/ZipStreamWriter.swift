import Foundation
import NIOCore
import PipelineContract

/// Writes a ZIP archive front to back, never going back: each entry's local header, its bytes
/// as they come, a data descriptor with the CRC-32 and size learnt on the way, and at the end the
/// central directory. Entries are stored (method 0): PNGs are compressed already.
///
/// Why not a library: ZIPFoundation (the one on hand) builds archives in a file or in memory and
/// seeks back to patch headers; a download of every result has to leave as it is read, in memory
/// that does not grow with the archive. The format needed for that is small (PKWARE APPNOTE
/// 6.3.10: bit 3 data descriptors, and ZIP64 end records once offsets pass 4 GiB).
struct ZipStreamWriter {
    /// An entry larger than 4 GiB would need ZIP64 sizes in its local header, known only at the end.
    struct EntryTooLarge: Error {}

    private struct Entry {
        var name: [UInt8]
        var offset: UInt64
        var crc: UInt32
        var size: UInt64
        var time: UInt16
        var date: UInt16
    }

    private var entries: [Entry] = []
    private var current: Entry?
    /// Bytes written so far.
    private(set) var offset: UInt64 = 0

    /// Flags: bit 3, sizes and CRC follow the data; bit 11, the name is UTF-8.
    private static let flags: UInt16 = 0x0808

    /// The local header of a new entry; its bytes go through ``add(_:)`` next.
    mutating func beginEntry(name: String, modified: Date) -> ByteBuffer {
        let (time, date) = Self.dosTime(modified)
        let entry = Entry(name: Array(name.utf8), offset: offset, crc: 0, size: 0, time: time, date: date)
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(0x0403_4B50), endianness: .little)
        buffer.writeInteger(UInt16(20), endianness: .little)  // version needed: 2.0
        buffer.writeInteger(Self.flags, endianness: .little)
        buffer.writeInteger(UInt16(0), endianness: .little)  // stored
        buffer.writeInteger(time, endianness: .little)
        buffer.writeInteger(date, endianness: .little)
        buffer.writeInteger(UInt32(0), endianness: .little)  // CRC-32, in the descriptor
        buffer.writeInteger(UInt32(0), endianness: .little)  // compressed size, in the descriptor
        buffer.writeInteger(UInt32(0), endianness: .little)  // size, in the descriptor
        buffer.writeInteger(UInt16(entry.name.count), endianness: .little)
        buffer.writeInteger(UInt16(0), endianness: .little)  // no extra field
        buffer.writeBytes(entry.name)
        current = entry
        offset += UInt64(buffer.readableBytes)
        return buffer
    }

    /// Counts a piece of the current entry's bytes (the caller writes it).
    mutating func add(_ chunk: ByteBuffer) {
        guard var entry = current else { return }
        entry.crc = CRC32.update(entry.crc, with: chunk.readableBytesView)
        entry.size += UInt64(chunk.readableBytes)
        current = entry
        offset += UInt64(chunk.readableBytes)
    }

    /// The data descriptor that ends the current entry.
    mutating func endEntry() throws -> ByteBuffer {
        guard let entry = current else { return ByteBuffer() }
        guard entry.size < 0xFFFF_FFFF else { throw EntryTooLarge() }
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(0x0807_4B50), endianness: .little)
        buffer.writeInteger(entry.crc, endianness: .little)
        buffer.writeInteger(UInt32(entry.size), endianness: .little)
        buffer.writeInteger(UInt32(entry.size), endianness: .little)
        entries.append(entry)
        current = nil
        offset += UInt64(buffer.readableBytes)
        return buffer
    }

    /// The central directory and the end records.
    mutating func finish() -> ByteBuffer {
        let directoryOffset = offset
        var buffer = ByteBuffer()
        for entry in entries {
            let zip64 = entry.offset >= 0xFFFF_FFFF
            buffer.writeInteger(UInt32(0x0201_4B50), endianness: .little)
            buffer.writeInteger(UInt16(3 << 8 | 45), endianness: .little)  // made by: Unix, 4.5
            buffer.writeInteger(UInt16(zip64 ? 45 : 20), endianness: .little)
            buffer.writeInteger(Self.flags, endianness: .little)
            buffer.writeInteger(UInt16(0), endianness: .little)
            buffer.writeInteger(entry.time, endianness: .little)
            buffer.writeInteger(entry.date, endianness: .little)
            buffer.writeInteger(entry.crc, endianness: .little)
            buffer.writeInteger(UInt32(entry.size), endianness: .little)
            buffer.writeInteger(UInt32(entry.size), endianness: .little)
            buffer.writeInteger(UInt16(entry.name.count), endianness: .little)
            buffer.writeInteger(UInt16(zip64 ? 12 : 0), endianness: .little)
            buffer.writeInteger(UInt16(0), endianness: .little)  // comment
            buffer.writeInteger(UInt16(0), endianness: .little)  // disk
            buffer.writeInteger(UInt16(0), endianness: .little)  // internal attributes
            buffer.writeInteger(UInt32(0o100644) << 16, endianness: .little)  // a regular file, rw-r--r--
            buffer.writeInteger(zip64 ? 0xFFFF_FFFF : UInt32(entry.offset), endianness: .little)
            buffer.writeBytes(entry.name)
            if zip64 {
                buffer.writeInteger(UInt16(1), endianness: .little)  // ZIP64 extended information
                buffer.writeInteger(UInt16(8), endianness: .little)
                buffer.writeInteger(entry.offset, endianness: .little)
            }
        }
        let directorySize = UInt64(buffer.readableBytes)
        let count = UInt64(entries.count)
        if count >= 0xFFFF || directoryOffset >= 0xFFFF_FFFF || directorySize >= 0xFFFF_FFFF {
            let recordOffset = directoryOffset + directorySize
            buffer.writeInteger(UInt32(0x0606_4B50), endianness: .little)
            buffer.writeInteger(UInt64(44), endianness: .little)
            buffer.writeInteger(UInt16(3 << 8 | 45), endianness: .little)
            buffer.writeInteger(UInt16(45), endianness: .little)
            buffer.writeInteger(UInt32(0), endianness: .little)
            buffer.writeInteger(UInt32(0), endianness: .little)
            buffer.writeInteger(count, endianness: .little)
            buffer.writeInteger(count, endianness: .little)
            buffer.writeInteger(directorySize, endianness: .little)
            buffer.writeInteger(directoryOffset, endianness: .little)
            buffer.writeInteger(UInt32(0x0706_4B50), endianness: .little)
            buffer.writeInteger(UInt32(0), endianness: .little)
            buffer.writeInteger(recordOffset, endianness: .little)
            buffer.writeInteger(UInt32(1), endianness: .little)
        }
        buffer.writeInteger(UInt32(0x0605_4B50), endianness: .little)
        buffer.writeInteger(UInt16(0), endianness: .little)
        buffer.writeInteger(UInt16(0), endianness: .little)
        buffer.writeInteger(UInt16(min(count, 0xFFFF)), endianness: .little)
        buffer.writeInteger(UInt16(min(count, 0xFFFF)), endianness: .little)
        buffer.writeInteger(UInt32(min(directorySize, 0xFFFF_FFFF)), endianness: .little)
        buffer.writeInteger(UInt32(min(directoryOffset, 0xFFFF_FFFF)), endianness: .little)
        buffer.writeInteger(UInt16(0), endianness: .little)  // comment
        offset += UInt64(buffer.readableBytes)
        return buffer
    }

    /// MS-DOS time and date (2-second steps, 1980 to 2107), in UTC.
    static func dosTime(_ date: Date) -> (time: UInt16, date: UInt16) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let year = min(max((c.year ?? 1980) - 1980, 0), 127)
        guard (c.year ?? 0) >= 1980 else { return (0, UInt16(1 << 5 | 1)) }
        let time = UInt16((c.hour ?? 0) << 11 | (c.minute ?? 0) << 5 | (c.second ?? 0) / 2)
        let day = UInt16(year << 9 | (c.month ?? 1) << 5 | (c.day ?? 1))
        return (time, day)
    }
}

/// File names made unique within one archive: a repeated `photo-bw.png` becomes `photo-bw-2.png`.
struct UniqueNames {
    private var taken: Set<String> = []

    mutating func claim(_ name: String) -> String {
        let stem = name.hasSuffix(".png") ? String(name.dropLast(4)) : name
        let ext = name.hasSuffix(".png") ? ".png" : ""
        var candidate = name
        var number = 2
        // Case-insensitive, as on the file systems the archive is unpacked on.
        while !taken.insert(candidate.lowercased()).inserted {
            candidate = "\(stem)-\(number)\(ext)"
            number += 1
        }
        return candidate
    }
}
