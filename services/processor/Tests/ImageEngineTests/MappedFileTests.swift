import Foundation
import ImageEngine
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `binarize(mappedFile:)` gives decoded pages back as it goes; the result must not change.
@Suite struct MappedFileTests {
    @Test func aMappedFileGivesTheSameResultAndVerdictAsBytes() async throws {
        let names = try ReferenceData.expectations().keys.sorted()
        #expect(names.count > 100)
        try await ReferenceData.onOwnThread {
            for name in names {
                let path = ReferenceData.directory.appendingPathComponent(name).path
                let bytes = try ReferenceData.bytes(name)
                let fromBytes = Result { () throws(ImageEngineError) in try ImageEngine.binarize(bytes) }
                let fromMapping = try Self.withMapping(path) { mapping in
                    Result { () throws(ImageEngineError) in try ImageEngine.binarize(mappedFile: mapping) }
                }
                switch (fromBytes, fromMapping) {
                case (.success(let a), .success(let b)):
                    #expect(a.png == b.png && a.width == b.width && a.height == b.height && a.threshold == b.threshold, "\(name)")
                case (.failure(let a), .failure(let b)):
                    #expect("\(a)" == "\(b)", "\(name)")
                default:
                    Issue.record("\(name): \(fromBytes) from bytes, \(fromMapping) from the mapping")
                }
            }
        }
    }

    static func withMapping<T>(_ path: String, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        let descriptor = open(path, O_RDONLY)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        var status = stat()
        try #require(fstat(descriptor, &status) == 0 && status.st_size > 0)
        let size = Int(status.st_size)
        let address = try #require(mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0))
        try #require(address != MAP_FAILED)
        defer { munmap(address, size) }
        return try body(UnsafeRawBufferPointer(start: address, count: size))
    }
}
