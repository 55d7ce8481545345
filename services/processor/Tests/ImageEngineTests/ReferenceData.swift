import Foundation
import AWSTestSupport

/// The shared test data (PngSuite, photos, expected-opencv.json): `$TESTDATA_DIR`, or
/// `../shared/testdata` beside the repository's root. Never copied into the project.
enum ReferenceData {
    static let directory: URL = TestData.location()

    static var expectationsFile: URL { directory.appendingPathComponent("expected-opencv.json") }

    static var isAvailable: Bool { FileManager.default.fileExists(atPath: expectationsFile.path) }

    /// REQUIRE_TESTDATA=1 (as CI sets it) turns a missing folder into a failure instead of a skip.
    static var isRequired: Bool { TestData.isRequired }

    static var skipReason: String { "test data not found at \(directory.path) (set TESTDATA_DIR)" }

    /// One entry of expected-opencv.json.
    struct Expectation: Decodable {
        var decodes: Bool
        var width: Int?
        var height: Int?
        var binary_sha256: String?
    }

    struct Expectations: Decodable {
        var files: [String: Expectation]
    }

    static func expectations() throws -> [String: Expectation] {
        try JSONDecoder().decode(Expectations.self, from: Data(contentsOf: expectationsFile)).files
    }

    static func bytes(_ relativePath: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(relativePath)))
    }
}
