import ImageEngine
import PipelineTestSupport
import Testing

/// eXIf orientation is applied wherever the chunk stands, as OpenCV's imdecode does.
@Suite struct OrientationTests {
    static let png = TestPNG.random(width: 7, height: 4, colorType: .rgb, bitDepth: 8, seed: 21)

    @Test(arguments: 1...8)
    func orientationBeforeImageData(orientation: Int) throws {
        var png = Self.png
        png.chunksBeforeData = [TestPNG.chunk("eXIf", ReferenceModel.exif(orientation: orientation))]
        try check(png, orientation: orientation)
    }

    @Test(arguments: [3, 6, 8])
    func orientationAfterImageData(orientation: Int) throws {
        var png = Self.png
        png.chunksAfterData = [TestPNG.chunk("eXIf", ReferenceModel.exif(orientation: orientation, bigEndian: false))]
        try check(png, orientation: orientation)
    }

    @Test func interlacedAndRotated() throws {
        var png = TestPNG.random(width: 11, height: 5, colorType: .palette, bitDepth: 4, interlaced: true, seed: 4)
        png.chunksAfterData = [TestPNG.chunk("eXIf", ReferenceModel.exif(orientation: 5))]
        try check(png, orientation: 5)
    }

    @Test func onlyTheFirstValidExifCounts() throws {
        var png = Self.png
        var damaged = TestPNG.chunk("eXIf", ReferenceModel.exif(orientation: 3))
        damaged[damaged.count - 1] ^= 1 // CRC error: libpng drops this one
        png.chunksBeforeData = [damaged, TestPNG.chunk("eXIf", ReferenceModel.exif(orientation: 6))]
        png.chunksAfterData = [TestPNG.chunk("eXIf", ReferenceModel.exif(orientation: 8))]
        try check(png, orientation: 6)
    }

    @Test func unreadableExifMeansNoRotation() throws {
        var png = Self.png
        png.chunksBeforeData = [TestPNG.chunk("eXIf", Array(ReferenceModel.exif(orientation: 6).prefix(12)))]
        try check(png, orientation: 1)
    }

    private func check(_ png: TestPNG, orientation: Int) throws {
        let gray = ReferenceModel.gray(png)
        let (expected, width, height) = ReferenceModel.oriented(
            ReferenceModel.binary(gray), width: png.width, height: png.height, orientation: orientation)
        for bitDepth in [BinarizeOptions.BitDepth.one, .eight] {
            let image = try ImageEngine.binarize(png.bytes, options: .init(bitDepth: bitDepth))
            #expect(image.width == width && image.height == height)
            #expect(try ImageEngine.decodeGray(image.png) == GrayImage(pixels: expected, width: width, height: height))
        }
        let (orientedGray, _, _) = ReferenceModel.oriented(gray, width: png.width, height: png.height, orientation: orientation)
        #expect(try ImageEngine.decodeGray(png.bytes).pixels == orientedGray)
    }
}
