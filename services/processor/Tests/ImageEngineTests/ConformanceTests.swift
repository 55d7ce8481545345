import ImageEngine
import Testing

/// Every image of the shared test data against the OpenCV reference: same verdict, and for the
/// images it decodes, the same binary pixels (SHA-256) in both output bit depths.
@Suite struct ConformanceTests {
    @Test(.enabled(if: ReferenceData.isAvailable || ReferenceData.isRequired, "\(ReferenceData.skipReason)"))
    func matchesReference() throws {
        guard ReferenceData.isAvailable else {
            Issue.record("REQUIRE_TESTDATA=1 but \(ReferenceData.skipReason)")
            return
        }
        let expectations = try ReferenceData.expectations()
        var matching = 0
        for (path, expected) in expectations.sorted(by: { $0.key < $1.key }) {
            let input = try ReferenceData.bytes(path)
            var mismatches: [String] = []
            for bitDepth in [BinarizeOptions.BitDepth.one, .eight] {
                switch (Result { () throws(ImageEngineError) in try ImageEngine.binarize(input, options: .init(bitDepth: bitDepth)) }, expected.decodes) {
                case (.failure(let error), true):
                    mismatches.append("\(bitDepth.rawValue)-bit: refused (\(error)) but the reference decodes it")
                case (.success, false):
                    mismatches.append("\(bitDepth.rawValue)-bit: decoded but the reference refuses it")
                case (.failure, false):
                    break
                case (.success(let image), true):
                    let pixels = try ImageEngine.decodeGray(image.png)
                    if image.width != expected.width || image.height != expected.height {
                        mismatches.append("\(bitDepth.rawValue)-bit: size \(image.width)×\(image.height)")
                    } else if SHA256.hex(pixels.pixels) != expected.binary_sha256 {
                        mismatches.append("\(bitDepth.rawValue)-bit: pixels differ")
                    }
                }
            }
            if mismatches.isEmpty {
                matching += 1
            } else {
                Issue.record("\(path): \(mismatches.joined(separator: "; "))")
            }
        }
        print("\(matching)/\(expectations.count) match")
        #expect(matching == expectations.count)
    }
}
