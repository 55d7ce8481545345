import ImageEngine
import Testing

/// Every image of the test data against the OpenCV reference: same verdict, and for the images
/// it decodes, the same binary pixels (SHA-256) in both output bit depths.
@Suite struct ConformanceTests {
    // Both tests run on a thread of their own: seconds of CPU on the tasks' shared threads would
    // starve timers elsewhere in the run (the visibility heartbeat's, for one).
    @Test func matchesReference() async throws {
        let problems = try await ReferenceData.onOwnThread(checkEveryFile)
        for problem in problems { Issue.record(Comment(rawValue: problem)) }
    }

    /// The files that differ from the reference, and why.
    @Sendable func checkEveryFile() throws -> [String] {
        var problems: [String] = []
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
                problems.append("\(path): \(mismatches.joined(separator: "; "))")
            }
        }
        print("\(matching)/\(expectations.count) match")
        return problems
    }

    /// Otsu as the OpenCV wheel computes it: the same threshold and the same pixels on every image
    /// it decodes (ties between equally good thresholds included).
    @Test func otsuMatchesReference() async throws {
        let problems = try await ReferenceData.onOwnThread(checkOtsuOfEveryFile)
        for problem in problems { Issue.record(Comment(rawValue: problem)) }
    }

    /// The files whose Otsu threshold or pixels differ from the reference's.
    @Sendable func checkOtsuOfEveryFile() throws -> [String] {
        var problems: [String] = []
        let expectations = try ReferenceData.expectations().filter { $0.value.decodes }.sorted { $0.key < $1.key }
        var matching = 0
        for (path, expected) in expectations {
            guard let threshold = expected.otsu_threshold else {
                problems.append("\(path) has no Otsu entry")
                continue
            }
            let image = try ImageEngine.binarize(try ReferenceData.bytes(path), options: .init(threshold: .otsu))
            let pixels = try ImageEngine.decodeGray(image.png)
            if Int(image.threshold) == threshold, SHA256.hex(pixels.pixels) == expected.otsu_binary_sha256 {
                matching += 1
            } else {
                problems.append("\(path): Otsu threshold \(image.threshold), OpenCV's \(threshold)")
            }
        }
        print("Otsu: \(matching)/\(expectations.count) match")
        return problems
    }
}
