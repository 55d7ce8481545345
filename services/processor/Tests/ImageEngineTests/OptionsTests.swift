import ImageEngine
import PipelineTestSupport
import Testing

/// The options beyond the reference: any fixed threshold, and Otsu's method.
@Suite struct OptionsTests {
    static let png = TestPNG.random(width: 31, height: 17, colorType: .rgb, bitDepth: 8, seed: 11)

    @Test(arguments: [0, 1, 64, 127, 128, 200, 254, 255] as [UInt8])
    func fixedThreshold(threshold: UInt8) throws {
        let gray = ReferenceModel.gray(Self.png)
        for bitDepth in [BinarizeOptions.BitDepth.one, .eight] {
            let image = try ImageEngine.binarize(Self.png.bytes, options: .init(threshold: .fixed(threshold), bitDepth: bitDepth))
            #expect(image.threshold == threshold)
            #expect(try ImageEngine.decodeGray(image.png).pixels == ReferenceModel.binary(gray, threshold: threshold))
        }
    }

    @Test func otsuOnRandomImage() throws {
        let gray = ReferenceModel.gray(Self.png)
        let expected = ReferenceModel.otsu(gray)
        let image = try ImageEngine.binarize(Self.png.bytes, options: .init(threshold: .otsu))
        #expect(image.threshold == expected)
        #expect(try ImageEngine.decodeGray(image.png).pixels == ReferenceModel.binary(gray, threshold: expected))
    }

    @Test func otsuSplitsTwoClusters() throws {
        // Dark values 20...40 and light values 180...220: the threshold falls between the clusters.
        var png = TestPNG(width: 16, height: 16, colorType: .gray, bitDepth: 8, samples: [])
        png.samples = (0..<16).map { y in (0..<16).map { x in (x + y) % 3 == 0 ? 180 + (x * 7 + y) % 41 : 20 + (x + 3 * y) % 21 } }
        let image = try ImageEngine.binarize(png.bytes, options: .init(threshold: .otsu, bitDepth: .eight))
        #expect((40..<180).contains(image.threshold))
        #expect(image.threshold == ReferenceModel.otsu(ReferenceModel.gray(png)))
        let pixels = try ImageEngine.decodeGray(image.png).pixels
        #expect(pixels == png.samples.flatMap { $0 }.map { $0 >= 180 ? 255 : 0 })
    }

    @Test func otsuOnUniformImage() throws {
        // One gray level: OpenCV's Otsu returns 0, and everything above 0 is white.
        let png = TestPNG(width: 5, height: 3, colorType: .gray, bitDepth: 8, samples: Array(repeating: Array(repeating: 90, count: 5), count: 3))
        let image = try ImageEngine.binarize(png.bytes, options: .init(threshold: .otsu))
        #expect(image.threshold == 0)
        #expect(try ImageEngine.decodeGray(image.png).pixels == Array(repeating: 255, count: 15))
    }

    @Test func defaultsMatchTheReference() {
        let options = BinarizeOptions()
        #expect(options == BinarizeOptions(threshold: .fixed(127), bitDepth: .one, maxPixels: 100_000_000))
    }
}
