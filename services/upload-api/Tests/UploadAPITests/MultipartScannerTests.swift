import NIOCore
import Testing

@testable import UploadAPI

/// ``MultipartScanner`` on whole bodies and on the same bodies cut into chunks of every size, so
/// that a delimiter, a header line or a near-delimiter split across chunks reads the same.
struct MultipartScannerTests {
    static let boundary = "----form7MA4YWxkTrZu0gW"

    /// A part as the scanner reports it: its headers and its whole body.
    struct Part: Equatable {
        var headers: [String] = []
        var body: [UInt8] = []
    }

    /// The parts of `body` fed in chunks of `size` bytes, and whether the closing delimiter was read.
    static func parts(of body: [UInt8], chunkSize size: Int) throws(MultipartScanner.Malformed) -> (parts: [Part], finished: Bool) {
        var scanner = MultipartScanner(boundary: boundary)
        var parts: [Part] = []
        var start = 0
        repeat {
            let end = min(body.count, start + size)
            try scanner.scan(ByteBuffer(bytes: body[start..<end])) { event in
                switch event {
                case .partStart: parts.append(Part())
                case .header(let name, let value): parts[parts.count - 1].headers.append("\(name)=\(value)")
                case .body(let bytes): parts[parts.count - 1].body += Array(buffer: bytes)
                case .partEnd: break
                }
            }
            start = end
        } while start < body.count
        return (parts, scanner.isFinished)
    }

    /// A body whose file holds every near-miss of the delimiter: CRLF, dashes, and the boundary cut short.
    static let trickyFile: [UInt8] =
        [0x89] + Array("PNG\r\n\u{1A}\n".utf8) + Array("\r\n--\r\n-\r\n--\(boundary.dropLast())x\r\r\n\r\n-".utf8) + (0..<300).map { UInt8($0 % 256) }

    static func form(preamble: String = "", padding: String = "", epilogue: String = "") -> [UInt8] {
        Array("\(preamble)--\(boundary)\(padding)\r\nContent-Disposition: form-data; name=\"fit\"\r\n\r\ncontain\r\n".utf8)
            + Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"фото café.png\"\r\n".utf8)
            + Array("Content-Type:image/png \r\n\r\n".utf8) + trickyFile
            + Array("\r\n--\(boundary)--\(epilogue)".utf8)
    }

    static let expected = [
        Part(headers: ["Content-Disposition=form-data; name=\"fit\""], body: Array("contain".utf8)),
        Part(
            headers: ["Content-Disposition=form-data; name=\"image\"; filename=\"фото café.png\"", "Content-Type=image/png"],
            body: trickyFile
        ),
    ]

    @Test func chunksOfEverySizeReadTheSame() throws {
        let body = Self.form()
        for size in 1...body.count {
            let (parts, finished) = try Self.parts(of: body, chunkSize: size)
            #expect(parts == Self.expected, "chunks of \(size) bytes")
            #expect(finished, "chunks of \(size) bytes")
        }
    }

    @Test func preambleEpilogueAndPaddingAreIgnored() throws {
        let body = Self.form(preamble: "This is a preamble.\r\n", padding: " \t ", epilogue: "\r\nThis is an epilogue.\r\n")
        for size in [1, 7, 64, body.count] {
            let (parts, finished) = try Self.parts(of: body, chunkSize: size)
            #expect(parts == Self.expected)
            #expect(finished)
        }
    }

    @Test func aBodyCutShortIsNotFinished() throws {
        let body = Self.form()
        var scanner = MultipartScanner(boundary: Self.boundary)
        try scanner.scan(ByteBuffer(bytes: body.prefix(body.count / 2))) { _ in }
        #expect(scanner.isInPart)
        #expect(!scanner.isFinished)
    }

    @Test func aBodyWithoutTheBoundaryHoldsNoPart() throws {
        let (parts, finished) = try Self.parts(of: Array("this is not multipart at all\r\n".utf8), chunkSize: 5)
        #expect(parts.isEmpty)
        #expect(!finished)
    }

    @Test(arguments: [
        ("--\(boundary)junk\r\n\r\n", "a boundary is not followed by a line end"),
        ("--\(boundary)\r\nno colon here\r\n\r\n", "a part's header has no colon"),
        ("--\(boundary)\r\n: value\r\n\r\n", "a part's header has no name"),
        ("--\(boundary)\r\nX-Long: \(String(repeating: "a", count: 20_000))\r\n\r\n", "a part's headers are longer than 16384 bytes"),
        ("--\(boundary)\(String(repeating: " ", count: 100))", "padding after a boundary is too long"),
    ])
    func malformedBodiesAreRefused(body: String, reason: String) {
        for size in [3, 1000, body.utf8.count] {
            #expect(throws: MultipartScanner.Malformed(reason: reason)) { try Self.parts(of: Array(body.utf8), chunkSize: size) }
        }
    }

    @Test func theFileComesAsSlicesOfItsChunks() throws {
        var scanner = MultipartScanner(boundary: Self.boundary)
        try scanner.scan(ByteBuffer(bytes: Array("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\n".utf8))) { _ in }
        // A chunk of file bytes comes out whole, in the chunk's own storage (no copy).
        let chunk = ByteBuffer(repeating: 7, count: 65_536)
        var events: [MultipartScanner.Event] = []
        try scanner.scan(chunk) { events.append($0) }
        #expect(events == [.body(chunk)])
        if case .body(let bytes)? = events.first {
            let same = bytes.withUnsafeReadableBytes { slice in chunk.withUnsafeReadableBytes { $0.baseAddress == slice.baseAddress } }
            #expect(same)
        }
        // A chunk that ends in what may begin the delimiter keeps those bytes until the next one.
        let tail = "\r\n--\(Self.boundary.prefix(5))"
        events = []
        try scanner.scan(ByteBuffer(bytes: Array(repeating: 8, count: 100) + Array(tail.utf8))) { events.append($0) }
        #expect(events == [.body(ByteBuffer(bytes: Array(repeating: 8, count: 100)))])
        events = []
        try scanner.scan(ByteBuffer(bytes: Array("\(Self.boundary.dropFirst(5))--\r\n".utf8))) { events.append($0) }
        #expect(events == [.partEnd])
        #expect(scanner.isFinished)
    }
}
