import AWSTestSupport
import Foundation

/// The repository's test data (PngSuite, photos) and `expected-opencv.json`, the OpenCV wheel's
/// verdicts, sizes and pixel hashes, made by `make testdata` (scripts/testdata/generate-expected.py).
enum ReferenceData {
    static let directory: URL = TestData.location()

    static var expectationsFile: URL { directory.appendingPathComponent("expected-opencv.json") }

    /// One entry of expected-opencv.json.
    struct Expectation: Decodable {
        var decodes: Bool
        var width: Int?
        var height: Int?
        var binary_sha256: String?
        /// OpenCV's `THRESH_BINARY | THRESH_OTSU` on the gray image: its threshold and pixels.
        var otsu_threshold: Int?
        var otsu_binary_sha256: String?
    }

    struct Expectations: Decodable {
        var files: [String: Expectation]
    }

    static func expectations() throws -> [String: Expectation] {
        try JSONDecoder().decode(Expectations.self, from: Data(contentsOf: expectationsFile)).files
    }

    /// Runs `body` on a thread of its own and waits for it.
    static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    static func bytes(_ relativePath: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(relativePath)))
    }
}
