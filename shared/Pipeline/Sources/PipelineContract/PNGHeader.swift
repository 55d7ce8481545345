/// The facts of a PNG's IHDR chunk, read from the first 33 bytes without decoding anything.
///
/// Size limits are not checked here: ask ``ImageLimits/refusal(width:height:)``.
public struct PNGHeader: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var bitDepth: Int
    public var colorType: Int
    public var interlaced: Bool

    public init(width: Int, height: Int, bitDepth: Int, colorType: Int, interlaced: Bool) {
        self.width = width
        self.height = height
        self.bitDepth = bitDepth
        self.colorType = colorType
        self.interlaced = interlaced
    }

    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    /// Signature (8) + IHDR length, type, 13 bytes of data and CRC.
    public static let minimumLength = 33

    /// Why bytes are not an acceptable PNG.
    public enum Problem: Error, Sendable, Equatable {
        /// Not a PNG at all (no signature): 415.
        case notPNG
        /// A PNG signature with a broken IHDR: 422.
        case invalidHeader(String)
    }

    /// Whether `bytes` start with the PNG signature.
    public static func hasSignature(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.count >= signature.count && zip(bytes, signature).allSatisfy { $0 == $1 }
    }

    /// Reads and validates the IHDR: first chunk, length 13, valid fields, correct CRC.
    public static func parse(_ bytes: some Collection<UInt8>) throws(Problem) -> PNGHeader {
        guard hasSignature(bytes) else { throw .notPNG }
        let data = Array(bytes.prefix(minimumLength))
        guard data.count == minimumLength else { throw .invalidHeader("the file ends before the IHDR chunk is complete") }
        func u32(_ offset: Int) -> UInt32 {
            data[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
        }
        guard Array(data[12..<16]) == Array("IHDR".utf8) else { throw .invalidHeader("the first chunk is not IHDR") }
        guard u32(8) == 13 else { throw .invalidHeader("the IHDR chunk has length \(u32(8)), not 13") }
        guard CRC32.checksum(data[12..<29]) == u32(29) else { throw .invalidHeader("the IHDR chunk's CRC is wrong") }
        let width = u32(16), height = u32(20)
        // Zero is invalid in any PNG; PNG's own ceiling is 2^31 - 1, but sizes past
        // ImageLimits.maxSide are left to ImageLimits.refusal, which names the limit.
        guard width > 0, height > 0, width <= 0x7FFF_FFFF, height <= 0x7FFF_FFFF else {
            throw .invalidHeader("the image size \(width)×\(height) is invalid")
        }
        let bitDepth = Int(data[24]), colorType = Int(data[25])
        let allowed: [Int: Set<Int>] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
        guard let depths = allowed[colorType] else { throw .invalidHeader("colour type \(colorType) does not exist") }
        guard depths.contains(bitDepth) else { throw .invalidHeader("bit depth \(bitDepth) is not allowed with colour type \(colorType)") }
        guard data[26] == 0 else { throw .invalidHeader("compression method \(data[26]) does not exist") }
        guard data[27] == 0 else { throw .invalidHeader("filter method \(data[27]) does not exist") }
        guard data[28] <= 1 else { throw .invalidHeader("interlace method \(data[28]) does not exist") }
        return PNGHeader(width: Int(width), height: Int(height), bitDepth: bitDepth, colorType: colorType, interlaced: data[28] == 1)
    }
}
