import Foundation

/// Finds the shared test data (`../shared/testdata` beside the repository, or `$TESTDATA_DIR`).
///
/// Tests that need it call ``directory(from:)``: when the data is missing they skip with a printed
/// reason, unless `REQUIRE_TESTDATA=1`, where missing data is an error.
public enum TestData {
    public enum Failure: Error, CustomStringConvertible {
        case missing(String)
        public var description: String {
            switch self {
            case .missing(let path): "test data not found at \(path) (REQUIRE_TESTDATA=1); set TESTDATA_DIR"
            }
        }
    }

    /// Whether missing test data must fail the run rather than skip.
    public static var isRequired: Bool {
        ProcessInfo.processInfo.environment["REQUIRE_TESTDATA"] == "1"
    }

    /// The test data folder, or nil (after printing why) when it is absent and not required.
    ///
    /// - Parameter filePath: pass `#filePath`; the repository root is found by walking up to the
    ///   folder holding `.git` or `Makefile`.
    public static func directory(from filePath: String = #filePath) throws -> URL? {
        let candidate = location(from: filePath)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue {
            return candidate
        }
        if isRequired { throw Failure.missing(candidate.path) }
        print("SKIP: test data not found at \(candidate.path); set TESTDATA_DIR to run these tests")
        return nil
    }

    /// Where the test data should be, whether or not it is there.
    public static func location(from filePath: String = #filePath) -> URL {
        if let explicit = ProcessInfo.processInfo.environment["TESTDATA_DIR"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit, isDirectory: true)
        }
        return repositoryRoot(from: filePath).deletingLastPathComponent().appendingPathComponent("shared/testdata", isDirectory: true)
    }

    /// The repository root: the nearest ancestor of `filePath` holding a `Makefile` and a `services` folder.
    public static func repositoryRoot(from filePath: String = #filePath) -> URL {
        var url = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        while url.path != "/" {
            let makefile = url.appendingPathComponent("Makefile").path
            let services = url.appendingPathComponent("services").path
            if FileManager.default.fileExists(atPath: makefile), FileManager.default.fileExists(atPath: services) {
                return url
            }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }
}
