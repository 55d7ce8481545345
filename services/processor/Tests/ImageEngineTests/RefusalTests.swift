import ImageEngine
import PipelineTestSupport
import Testing

/// What the reference refuses is refused, with a useful reason.
@Suite struct RefusalTests {
    static let png = TestPNG.random(width: 10, height: 6, colorType: .rgb, bitDepth: 8, seed: 5)

    private func refusal(_ bytes: [UInt8], maxPixels: Int = 100_000_000) -> ImageEngineError? {
        do {
            _ = try ImageEngine.binarize(bytes, options: .init(maxPixels: maxPixels))
            return nil
        } catch {
            return error
        }
    }

    @Test func notAPNG() {
        #expect(refusal([]) == .notPNG)
        #expect(refusal(Array("GIF89a and more bytes".utf8)) == .notPNG)
        #expect(refusal(Array(Self.png.bytes.dropFirst())) == .notPNG)
    }

    @Test(arguments: [8, 20, 40, 60, -13, -12, -1])
    func truncatedFile(cut: Int) {
        let bytes = Self.png.bytes
        let end = cut > 0 ? cut : bytes.count + cut
        #expect(refusal(Array(bytes[..<end])) == .truncated)
    }

    @Test func bombHeaderIsRefusedBeforeDecoding() {
        // 20000×20000 with almost no image data: refused from IHDR alone, quickly.
        let bomb = TestPNG(width: 20_000, height: 20_000, colorType: .rgb, bitDepth: 8, samples: [])
        let bytes = TestPNG.signature + bomb.header + TestPNG.chunk("IDAT", TestPNG.zlibStored([0, 1, 2]))
            + TestPNG.chunk("IEND", [])
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(refusal(bytes) == .tooManyPixels(width: 20_000, height: 20_000, limit: 100_000_000))
        }
        #expect(elapsed < .milliseconds(100))
        let error = ImageEngineError.tooManyPixels(width: 20_000, height: 20_000, limit: 100_000_000)
        #expect(error.description == "The image is 20000×20000 = 400 megapixels, over the limit of 100 megapixels.")

        // Within the limit, it is decoded and found short of data: no huge allocation either way.
        guard case .corrupt = refusal(bytes, maxPixels: 500_000_000) else {
            Issue.record("expected a corrupt-data refusal")
            return
        }
        // The reference's own limit is 2^30 pixels, whatever maxPixels says.
        let huge = TestPNG(width: 1_000_000, height: 1_100, colorType: .gray, bitDepth: 1, samples: [])
        #expect(refusal(TestPNG.signature + huge.header, maxPixels: Int.max)
            == .tooManyPixels(width: 1_000_000, height: 1_100, limit: 1 << 30))
    }

    @Test func crcErrorInCriticalChunks() {
        let bytes = Self.png.bytes
        for offset in [29, bytes.count - 13] { // IHDR's CRC, the IDAT CRC
            var damaged = bytes
            damaged[offset] ^= 0x01
            guard case .corrupt(let reason) = refusal(damaged) else {
                Issue.record("offset \(offset): expected corrupt")
                continue
            }
            #expect(reason.contains("CRC"))
        }
    }

    @Test func badZlibChecksum() {
        var stream = TestPNG.zlibStored(Self.png.filteredRows)
        stream[stream.count - 1] ^= 0x01
        let bytes = TestPNG.signature + Self.png.header + TestPNG.chunk("IDAT", stream) + TestPNG.chunk("IEND", [])
        guard case .corrupt = refusal(bytes) else {
            Issue.record("expected corrupt")
            return
        }
    }

    @Test func tooLittleImageData() {
        let rows = Self.png.filteredRows
        let bytes = TestPNG.signature + Self.png.header
            + TestPNG.chunk("IDAT", TestPNG.zlibStored(Array(rows.dropLast(5)))) + TestPNG.chunk("IEND", [])
        guard case .corrupt = refusal(bytes) else {
            Issue.record("expected corrupt")
            return
        }
    }

    @Test func missingIEND() {
        let bytes = Self.png.bytes
        #expect(refusal(Array(bytes.dropLast(12))) == .truncated)
    }

    @Test func unknownCriticalChunk() {
        var png = Self.png
        png.chunksBeforeData = [TestPNG.chunk("ZZZZ", [1, 2, 3])]
        guard case .corrupt(let reason) = refusal(png.bytes) else {
            Issue.record("expected corrupt")
            return
        }
        #expect(reason.contains("ZZZZ"))
    }

    @Test func invalidHeaders() {
        func header(width: Int, height: Int, depth: UInt8, type: UInt8) -> [UInt8] {
            TestPNG.signature + TestPNG.chunk("IHDR", TestPNG.be32(width) + TestPNG.be32(height) + [depth, type, 0, 0, 0])
                + TestPNG.chunk("IDAT", TestPNG.zlibStored([0, 0])) + TestPNG.chunk("IEND", [])
        }
        for bytes in [
            header(width: 0, height: 1, depth: 8, type: 0),
            header(width: 1_000_001, height: 1, depth: 1, type: 0),
            header(width: 1, height: 1_000_001, depth: 1, type: 0),
            header(width: 1, height: 1, depth: 3, type: 0),
            header(width: 1, height: 1, depth: 8, type: 1),
            header(width: 1, height: 1, depth: 4, type: 2),
        ] {
            guard case .invalidHeader = refusal(bytes) else {
                Issue.record("expected invalidHeader")
                continue
            }
        }
        // Apple's CgBI files: IHDR is not the first chunk.
        let cgbi = TestPNG.signature + TestPNG.chunk("CgBI", [0, 0, 0, 0]) + Array(Self.png.bytes.dropFirst(8))
        guard case .invalidHeader(let reason) = refusal(cgbi) else {
            Issue.record("expected invalidHeader")
            return
        }
        #expect(reason.contains("CgBI"))
    }

    @Test func paletteImageWithoutPLTE() {
        var png = TestPNG.random(width: 4, height: 4, colorType: .palette, bitDepth: 8)
        png.palette = []
        guard case .corrupt(let reason) = refusal(png.bytes) else {
            Issue.record("expected corrupt")
            return
        }
        #expect(reason.contains("PLTE"))
    }

    @Test func descriptionsAreSentences() {
        let errors: [ImageEngineError] = [
            .notPNG, .truncated, .invalidHeader("IHDR is odd."), .corrupt("Bad."), .unsupported("No."), .outOfMemory,
            .encodingFailed("Failed."), .tooManyPixels(width: 3000, height: 500, limit: 1_000_000),
        ]
        for error in errors {
            #expect(error.description.hasSuffix("."))
        }
        #expect(ImageEngineError.tooManyPixels(width: 3000, height: 500, limit: 1_000_000).description
            == "The image is 3000×500 = 1.5 megapixels, over the limit of 1 megapixel.")
    }
}
