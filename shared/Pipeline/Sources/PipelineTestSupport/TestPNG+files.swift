extension TestPNG {
    /// The bytes of an 8-bit PNG (gray 0, RGB 2, gray+alpha 4, RGBA 6) whose samples come from
    /// `pixel(x, y, channel)`: the quick way to a valid upload.
    public static func make(
        width: Int, height: Int, colorType: UInt8 = 2,
        pixel: (Int, Int, Int) -> UInt8 = { x, y, c in UInt8((x * 37 + y * 11 + c * 80) & 0xff) }
    ) -> [UInt8] {
        let type = ColorType(rawValue: colorType) ?? .rgb
        let samples = (0..<height).map { y in
            (0..<width).flatMap { x in (0..<type.channels).map { c in Int(pixel(x, y, c)) } }
        }
        return TestPNG(width: width, height: height, colorType: type, bitDepth: 8, samples: samples).bytes
    }

    /// A PNG whose IHDR claims `width`×`height` but holds almost no data: a decompression bomb's header.
    public static func bombHeader(width: Int, height: Int) -> [UInt8] {
        file(ihdr: ihdr(width: width, height: height, bitDepth: 8, colorType: 0), idat: zlibStored([0, 0]))
    }

    /// The 13 data bytes of an IHDR chunk, any values allowed (for broken headers).
    public static func ihdr(width: Int, height: Int, bitDepth: UInt8, colorType: UInt8, interlace: UInt8 = 0) -> [UInt8] {
        be32(width) + be32(height) + [bitDepth, colorType, 0, 0, interlace]
    }

    /// Signature, the given IHDR data, one IDAT, IEND.
    public static func file(ihdr: [UInt8], idat: [UInt8]) -> [UInt8] {
        signature + chunk("IHDR", ihdr) + chunk("IDAT", idat) + chunk("IEND", [])
    }
}
