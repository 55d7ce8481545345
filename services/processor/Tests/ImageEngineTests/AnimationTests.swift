import ImageEngine
import PipelineTestSupport
import Testing

/// Animated PNG: the first animation frame, as OpenCV's imdecode returns it. (The shared test
/// data has no APNG; these files are made here.)
@Suite struct AnimationTests {
    static let first = TestPNG.random(width: 12, height: 9, colorType: .rgba, bitDepth: 8, seed: 31)
    static let second = TestPNG.random(width: 5, height: 4, colorType: .rgba, bitDepth: 8, seed: 32)

    private static func acTL(frames: Int) -> [UInt8] { TestPNG.chunk("acTL", TestPNG.be32(frames) + TestPNG.be32(0)) }

    private static func fcTL(sequence: Int, width: Int, height: Int, x: Int, y: Int) -> [UInt8] {
        TestPNG.chunk("fcTL", TestPNG.be32(sequence) + TestPNG.be32(width) + TestPNG.be32(height) + TestPNG.be32(x)
            + TestPNG.be32(y) + [0, 1, 0, 10, 0, 0])
    }

    private static func fdAT(sequence: Int, _ frame: TestPNG) -> [UInt8] {
        TestPNG.chunk("fdAT", TestPNG.be32(sequence) + TestPNG.zlibStored(frame.filteredRows))
    }

    @Test func idatIsTheFirstFrame() throws {
        var png = Self.first
        png.chunksBeforeData = [Self.acTL(frames: 2), Self.fcTL(sequence: 0, width: 12, height: 9, x: 0, y: 0)]
        png.chunksAfterData = [Self.fcTL(sequence: 1, width: 5, height: 4, x: 2, y: 3), Self.fdAT(sequence: 2, Self.second)]
        let image = try ImageEngine.binarize(png.bytes)
        #expect(try ImageEngine.decodeGray(image.png).pixels == ReferenceModel.binary(ReferenceModel.gray(Self.first)))
    }

    @Test func hiddenDefaultImage() throws {
        // No fcTL before IDAT: IDAT is not part of the animation, the first frame is the fdAT one,
        // placed at its offset on a black canvas.
        var png = Self.first
        png.chunksBeforeData = [Self.acTL(frames: 2)]
        png.chunksAfterData = [Self.fcTL(sequence: 0, width: 5, height: 4, x: 2, y: 3), Self.fdAT(sequence: 1, Self.second)]
        let image = try ImageEngine.binarize(png.bytes)
        let frame = ReferenceModel.binary(ReferenceModel.gray(Self.second))
        var expected = [UInt8](repeating: 0, count: 12 * 9)
        for y in 0..<4 {
            for x in 0..<5 { expected[(y + 3) * 12 + x + 2] = frame[y * 5 + x] }
        }
        #expect(image.width == 12 && image.height == 9)
        #expect(try ImageEngine.decodeGray(image.png).pixels == expected)
    }

    @Test func singleFrameIsAPlainImage() throws {
        var png = Self.first
        png.chunksBeforeData = [Self.acTL(frames: 1)]
        let image = try ImageEngine.binarize(png.bytes)
        #expect(try ImageEngine.decodeGray(image.png).pixels == ReferenceModel.binary(ReferenceModel.gray(Self.first)))
    }

    @Test(arguments: [0, 4, 25, 30])
    func hiddenImageWithAShortOrLongFrameControlIsRefusedNotOverread(length: Int) {
        // A user-made file: an fcTL after a hidden IDAT, of the wrong length, last in the file.
        var png = Self.first
        png.chunksBeforeData = [Self.acTL(frames: 2)]
        png.chunksAfterData = [TestPNG.chunk("fcTL", [UInt8](repeating: 0, count: length))]
        var bytes = png.bytes
        bytes.removeLast(12)  // no IEND: the fcTL ends the file
        #expect(throws: ImageEngineError.self) { try ImageEngine.binarize(bytes) }
    }
}
