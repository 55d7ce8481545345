import ImageEngine
import PipelineTestSupport
import Testing

/// Decoding of every colour type, bit depth and interlacing, against the rules computed by the
/// test itself (ReferenceModel).
@Suite struct FormatTests {
    struct Format: CustomTestStringConvertible, Sendable {
        var colorType: TestPNG.ColorType
        var bitDepth: Int
        var interlaced: Bool
        var testDescription: String { "\(colorType) \(bitDepth)-bit\(interlaced ? " interlaced" : "")" }
    }

    static let formats: [Format] = TestPNG.ColorType.allCases.flatMap { colorType in
        colorType.bitDepths.flatMap { depth in [false, true].map { Format(colorType: colorType, bitDepth: depth, interlaced: $0) } }
    }

    @Test(arguments: formats)
    func grayAndBinaryFollowTheRules(format: Format) throws {
        // 13×11: odd sizes exercise partial bytes and every Adam7 pass.
        let png = TestPNG.random(width: 13, height: 11, colorType: format.colorType, bitDepth: format.bitDepth,
                                 interlaced: format.interlaced, seed: UInt64(format.bitDepth * 10) + UInt64(format.colorType.rawValue))
        let expectedGray = ReferenceModel.gray(png)

        let gray = try ImageEngine.decodeGray(png.bytes)
        #expect(gray == GrayImage(pixels: expectedGray, width: 13, height: 11))

        for bitDepth in [BinarizeOptions.BitDepth.one, .eight] {
            let image = try ImageEngine.binarize(png.bytes, options: .init(bitDepth: bitDepth))
            #expect(image.width == 13 && image.height == 11 && image.threshold == 127)
            #expect(try ImageEngine.decodeGray(image.png).pixels == ReferenceModel.binary(expectedGray))
        }
    }

    @Test func outputIsGrayscaleOfTheRequestedDepth() throws {
        let png = TestPNG.random(width: 21, height: 5, colorType: .rgb, bitDepth: 8)
        for bitDepth in [BinarizeOptions.BitDepth.one, .eight] {
            let output = try ImageEngine.binarize(png.bytes, options: .init(bitDepth: bitDepth)).png
            // IHDR: bit depth at byte 24, colour type (0 = gray) at 25, no interlace at 28.
            #expect(Array(output[0..<8]) == TestPNG.signature)
            #expect(output[24] == UInt8(bitDepth.rawValue) && output[25] == 0 && output[28] == 0)
        }
    }

    @Test func oneAndEightBitOutputsHoldTheSamePixels() throws {
        for (index, format) in Self.formats.enumerated() where index % 3 == 0 {
            let png = TestPNG.random(width: 37, height: 9, colorType: format.colorType, bitDepth: format.bitDepth,
                                     interlaced: format.interlaced, seed: UInt64(index))
            let one = try ImageEngine.binarize(png.bytes, options: .init(bitDepth: .one))
            let eight = try ImageEngine.binarize(png.bytes, options: .init(bitDepth: .eight))
            #expect(one.png.count < eight.png.count || one.png.count < 200)
            #expect(try ImageEngine.decodeGray(one.png) == ImageEngine.decodeGray(eight.png))
        }
    }

    @Test func largerImageStreamsRowByRow() throws {
        // Several stored deflate blocks and many rows: the streaming path end to end.
        let png = TestPNG.random(width: 301, height: 257, colorType: .rgba, bitDepth: 8, seed: 7)
        let image = try ImageEngine.binarize(png.bytes)
        #expect(try ImageEngine.decodeGray(image.png).pixels == ReferenceModel.binary(ReferenceModel.gray(png)))
    }

    @Test func toleratesWhatTheReferenceTolerates() throws {
        let png = TestPNG.random(width: 9, height: 7, colorType: .rgb, bitDepth: 8, seed: 3)
        let expected = ReferenceModel.binary(ReferenceModel.gray(png))

        // A CRC error in an ancillary chunk, and bytes after IEND.
        var text = TestPNG.chunk("tEXt", Array("Comment\0hello".utf8))
        text[text.count - 1] ^= 0xFF
        var damaged = png
        damaged.chunksBeforeData = [text]
        let withTrailer = damaged.bytes + Array("trailing bytes".utf8)
        #expect(try ImageEngine.decodeGray(ImageEngine.binarize(withTrailer).png).pixels == expected)

        // Extra image data after the last row.
        var data = png.filteredRows + [UInt8](repeating: 0, count: 50)
        let extra = TestPNG.signature + png.header + TestPNG.chunk("IDAT", TestPNG.zlibStored(data))
            + TestPNG.chunk("IEND", [])
        #expect(try ImageEngine.decodeGray(ImageEngine.binarize(extra).png).pixels == expected)

        // Image data split over several IDAT chunks.
        data = TestPNG.zlibStored(png.filteredRows)
        let split = TestPNG.signature + png.header + TestPNG.chunk("IDAT", Array(data[..<10]))
            + TestPNG.chunk("IDAT", Array(data[10...])) + TestPNG.chunk("IEND", [])
        #expect(try ImageEngine.decodeGray(ImageEngine.binarize(split).png).pixels == expected)
    }
}
