import Foundation

/// The test data the repository carries (`tests/data`: PngSuite, photos, the AWS SigV4 suite and
/// the expected OpenCV results), found from a test's `#filePath`.
public enum TestData {
    public enum Failure: Error, CustomStringConvertible {
        case missing(String)
        public var description: String {
            switch self {
            case .missing(let path): "test data not found at \(path): it is part of the repository (tests/data)"
            }
        }
    }

    /// The test data folder; a missing one is an error, never a reason to skip.
    ///
    /// - Parameter filePath: pass `#filePath`; the repository root is found by walking up to the
    ///   folder holding a `Makefile` and a `services` folder.
    public static func directory(from filePath: String = #filePath) throws -> URL {
        let candidate = location(from: filePath)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Failure.missing(candidate.path)
        }
        return candidate
    }

    /// `tests/data` of the repository.
    public static func location(from filePath: String = #filePath) -> URL {
        repositoryRoot(from: filePath).appendingPathComponent("tests/data", isDirectory: true)
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
