import PipelineContract

/// A PNG that the tests write themselves, with "stored" (uncompressed) deflate blocks so that no
/// zlib is involved, and any colour type, bit depth, interlacing and extra chunks.
public struct TestPNG: Sendable {
    public enum ColorType: UInt8, CaseIterable, Sendable {
        case gray = 0, rgb = 2, palette = 3, grayAlpha = 4, rgba = 6

        public var channels: Int {
            switch self {
            case .gray, .palette: 1
            case .grayAlpha: 2
            case .rgb: 3
            case .rgba: 4
            }
        }

        public var bitDepths: [Int] {
            switch self {
            case .gray: [1, 2, 4, 8, 16]
            case .palette: [1, 2, 4, 8]
            case .rgb, .grayAlpha, .rgba: [8, 16]
            }
        }
    }

    public var width: Int
    public var height: Int
    public var colorType: ColorType
    public var bitDepth: Int
    public var interlaced = false
    /// Samples, row by row: `samples[y][x * channels + c]`, each below 2^bitDepth.
    public var samples: [[Int]]
    /// RGB triplets of the PLTE chunk, written before the image data when not empty.
    public var palette: [UInt8] = []
    public var chunksBeforeData: [[UInt8]] = []
    public var chunksAfterData: [[UInt8]] = []

    public init(
        width: Int, height: Int, colorType: ColorType, bitDepth: Int, interlaced: Bool = false, samples: [[Int]],
        palette: [UInt8] = [], chunksBeforeData: [[UInt8]] = [], chunksAfterData: [[UInt8]] = []
    ) {
        self.width = width
        self.height = height
        self.colorType = colorType
        self.bitDepth = bitDepth
        self.interlaced = interlaced
        self.samples = samples
        self.palette = palette
        self.chunksBeforeData = chunksBeforeData
        self.chunksAfterData = chunksAfterData
    }

    public static let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]

    /// The whole file.
    public var bytes: [UInt8] {
        var file = Self.signature + header
        if !palette.isEmpty { file += Self.chunk("PLTE", palette) }
        for chunk in chunksBeforeData { file += chunk }
        file += Self.chunk("IDAT", Self.zlibStored(filteredRows))
        for chunk in chunksAfterData { file += chunk }
        return file + Self.chunk("IEND", [])
    }

    public var header: [UInt8] {
        Self.chunk("IHDR", Self.be32(width) + Self.be32(height) + [UInt8(bitDepth), colorType.rawValue, 0, 0, interlaced ? 1 : 0])
    }

    /// The raw image data: each row (of each Adam7 pass) with filter byte 0, then its packed samples.
    public var filteredRows: [UInt8] {
        guard interlaced else { return (0..<height).flatMap { y in [0] + packedRow(y: y, columns: Array(0..<width)) } }
        let passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
        var data: [UInt8] = []
        for (x0, y0, dx, dy) in passes {
            let columns = Array(stride(from: x0, to: width, by: dx))
            guard !columns.isEmpty else { continue }
            for y in stride(from: y0, to: height, by: dy) { data += [0] + packedRow(y: y, columns: columns) }
        }
        return data
    }

    private func packedRow(y: Int, columns: [Int]) -> [UInt8] {
        let channels = colorType.channels
        let values = columns.flatMap { x in samples[y][(x * channels)..<(x * channels + channels)] }
        switch bitDepth {
        case 16: return values.flatMap { [UInt8($0 >> 8), UInt8($0 & 255)] }
        case 8: return values.map { UInt8($0) }
        default:
            var bytes: [UInt8] = []
            var current = 0, filled = 0
            for value in values {
                current = (current << bitDepth) | value
                filled += bitDepth
                if filled == 8 { bytes.append(UInt8(current)); current = 0; filled = 0 }
            }
            if filled > 0 { bytes.append(UInt8(current << (8 - filled))) }
            return bytes
        }
    }

    // MARK: Encoding helpers

    public static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return be32(data.count) + body + be32(Int(CRC32.checksum(body)))
    }

    public static func be32(_ value: Int) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
         UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    /// A zlib stream of stored blocks: no compression, so the tests need no deflate.
    public static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let end = min(start + 65_535, data.count)
            let length = end - start
            out.append(end == data.count ? 1 : 0)
            out += [UInt8(length & 255), UInt8(length >> 8), UInt8(~length & 255), UInt8((~length >> 8) & 255)]
            out += data[start..<end]
            start = end
        } while start < data.count
        return out + be32(Int(adler32(data)))
    }

    public static func adler32(_ data: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return b << 16 | a
    }

}

extension TestPNG {
    /// An image of pseudo-random samples (a fixed seed, so tests repeat), with many values near
    /// the middle so that the threshold matters, and a full palette for palette images.
    public static func random(
        width: Int, height: Int, colorType: ColorType, bitDepth: Int, interlaced: Bool = false, seed: UInt64 = 1
    ) -> TestPNG {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func next() -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(truncatingIfNeeded: state >> 11)
        }
        let top = (1 << bitDepth) - 1
        let samples = (0..<height).map { _ in
            (0..<(width * colorType.channels)).map { _ in
                switch next() % 4 {
                case 0: top / 2
                case 1: top / 2 + 1
                default: next() % (top + 1)
                }
            }
        }
        var png = TestPNG(width: width, height: height, colorType: colorType, bitDepth: bitDepth, interlaced: interlaced, samples: samples)
        if colorType == .palette {
            // Fewer entries than indexes: the indexes past the end are black.
            let entries = max(1, (top + 1) * 3 / 4)
            png.palette = (0..<(entries * 3)).map { _ in UInt8(next() % 256) }
        }
        return png
    }
}
