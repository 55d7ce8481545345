import PipelineContract
import PipelineTestSupport
import Testing

/// One limit table for the API and the engine, and the header it is applied to.
@Suite struct ImageLimitsTests {
    @Test func sidesOverTheDecoderLimitAreRefusedWhateverThePixelLimit() {
        let generous = ImageLimits(maxPixels: 1 << 40)
        #expect(generous.refusal(width: 1_000_000, height: 1) == nil)
        #expect(generous.refusal(width: 1_000_001, height: 1) == .sideTooLong(width: 1_000_001, height: 1, limit: 1_000_000))
        #expect(generous.refusal(width: 1, height: 2_000_000) == .sideTooLong(width: 1, height: 2_000_000, limit: 1_000_000))
    }

    @Test func pixelsOverTheLimitInForceAreRefused() {
        let limits = ImageLimits(maxPixels: 1_000)
        #expect(limits.refusal(width: 100, height: 10) == nil)
        #expect(limits.refusal(width: 101, height: 10) == .tooManyPixels(width: 101, height: 10, limit: 1_000))
        // A MAX_PIXELS above the reference's own ceiling changes nothing.
        let huge = ImageLimits(maxPixels: 1 << 40)
        #expect(huge.effectiveMaxPixels == 1 << 30)
        #expect(huge.refusal(width: 40_000, height: 40_000) == .tooManyPixels(width: 40_000, height: 40_000, limit: 1 << 30))
        #expect(ImageLimits().effectiveMaxPixels == 100_000_000)
    }

    @Test func headerOfAValidPNG() throws {
        let header = try PNGHeader.parse(TestPNG.make(width: 3, height: 2))
        #expect(header == PNGHeader(width: 3, height: 2, bitDepth: 8, colorType: 2, interlaced: false))
    }

    @Test func headerRefusals() {
        #expect(throws: PNGHeader.Problem.notPNG) { try PNGHeader.parse(Array("GIF89a".utf8)) }
        var badCRC = TestPNG.make(width: 3, height: 2)
        badCRC[29] ^= 1
        #expect(throws: PNGHeader.Problem.invalidHeader("the IHDR chunk's CRC is wrong")) { try PNGHeader.parse(badCRC) }
        let zero = TestPNG.file(ihdr: TestPNG.ihdr(width: 0, height: 5, bitDepth: 8, colorType: 0), idat: [])
        #expect(throws: PNGHeader.Problem.self) { try PNGHeader.parse(zero) }
    }

    @Test func crc32OfKnownInput() {
        // The check value of CRC-32/ISO-HDLC.
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}
