/// Builds small, valid PNG files in memory for tests (stored, uncompressed deflate blocks), and
/// broken ones on purpose.
public enum TestPNG {
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// An 8-bit PNG of `colorType` (0 gray, 2 RGB, 4 gray+alpha, 6 RGBA) whose samples come from `pixel(x, y, channel)`.
    public static func make(
        width: Int, height: Int, colorType: UInt8 = 2, pixel: (Int, Int, Int) -> UInt8 = { x, y, c in UInt8((x * 37 + y * 11 + c * 80) & 0xff) }
    ) -> [UInt8] {
        let channels = [0: 1, 2: 3, 4: 2, 6: 4][Int(colorType)] ?? 3
        var raw: [UInt8] = []
        raw.reserveCapacity(height * (1 + width * channels))
        for y in 0..<height {
            raw.append(0)  // filter: none
            for x in 0..<width { for c in 0..<channels { raw.append(pixel(x, y, c)) } }
        }
        return file(ihdr: ihdr(width: width, height: height, bitDepth: 8, colorType: colorType), idat: zlibStored(raw))
    }

    /// A PNG whose IHDR claims `width`×`height` but holds almost no data: a decompression bomb header.
    public static func bombHeader(width: Int, height: Int) -> [UInt8] {
        file(ihdr: ihdr(width: width, height: height, bitDepth: 8, colorType: 0), idat: zlibStored([0, 0]))
    }

    /// The 13 data bytes of an IHDR chunk.
    public static func ihdr(width: Int, height: Int, bitDepth: UInt8, colorType: UInt8, interlace: UInt8 = 0) -> [UInt8] {
        be32(UInt32(truncatingIfNeeded: width)) + be32(UInt32(truncatingIfNeeded: height)) + [bitDepth, colorType, 0, 0, interlace]
    }

    /// Signature, IHDR, one IDAT, IEND.
    public static func file(ihdr: [UInt8], idat: [UInt8]) -> [UInt8] {
        signature + chunk("IHDR", ihdr) + chunk("IDAT", idat) + chunk("IEND", [])
    }

    /// A chunk with its length and CRC.
    public static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        return be32(UInt32(data.count)) + typeBytes + data + be32(crc32(typeBytes + data))
    }

    /// A zlib stream of stored (uncompressed) blocks.
    public static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let count = min(65_535, data.count - offset)
            let final: UInt8 = offset + count >= data.count ? 1 : 0
            out += [final, UInt8(count & 0xff), UInt8(count >> 8), UInt8(~count & 0xff), UInt8((~count >> 8) & 0xff)]
            out += data[offset..<offset + count]
            offset += count
        } while offset < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return out + be32(b << 16 | a)
    }

    public static func be32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
    }

    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        return ~crc
    }
}
