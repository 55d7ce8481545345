import CMemory
import NIOCore

/// `multipart/form-data` (RFC 7578, RFC 2046 §5.1) parsed as it streams in, chunk by chunk.
///
/// The delimiter `CRLF--boundary` is found with libc's `memmem`, and a part's body is handed out
/// as slices of the chunks it came in, never byte by byte: the upload's profile showed a
/// byte-at-a-time parser as a fifth of its CPU (docs/performance.md, "Multipart bodies scanned").
/// A chunk's last bytes that may begin a delimiter (rare in a file: a CR followed by as much of the
/// delimiter as the chunk holds) wait for the next chunk, which is then copied behind them; any
/// other chunk is handed out without a copy.
///
/// The preamble before the first delimiter and the epilogue after the closing one are ignored;
/// a delimiter must be followed by `--` (the end) or optional spaces and CRLF (a part).
struct MultipartScanner {
    /// What a chunk held, in order.
    enum Event: Equatable {
        /// A part begins (its headers follow, if any).
        case partStart
        /// One header line of the current part; the name as sent.
        case header(name: String, value: String)
        /// Bytes of the current part's body (one part's body may come in many).
        case body(ByteBuffer)
        /// The current part's body has ended.
        case partEnd
    }

    /// The body is not `multipart/form-data` with this boundary.
    struct Malformed: Error, Equatable {
        var reason: String
    }

    private enum State { case preamble, afterDelimiter, headers, body, epilogue }

    /// `CRLF--boundary`.
    private let delimiter: [UInt8]
    /// The longest header block of a part.
    let maxHeaderBytes: Int
    private var state = State.preamble
    /// Bytes not decided yet: the start of a header line, or a tail that may begin a delimiter.
    private var carry = ByteBuffer()
    private var headerBytes = 0
    /// Before the first byte: a delimiter there has no CRLF before it.
    private var atStart = true

    /// - Parameters:
    ///   - boundary: the content type's `boundary` parameter.
    ///   - maxHeaderBytes: the longest header block of one part.
    init(boundary: String, maxHeaderBytes: Int = 16 * 1024) {
        delimiter = Array("\r\n--\(boundary)".utf8)
        self.maxHeaderBytes = maxHeaderBytes
    }

    /// Whether the closing delimiter has been read.
    var isFinished: Bool { state == .epilogue }

    /// Whether a part has begun and not ended.
    var isInPart: Bool { state == .headers || state == .body }

    /// Scans the next chunk of the body, handing each event to `emit` as it is found.
    mutating func scan(_ chunk: ByteBuffer, _ emit: (Event) -> Void) throws(Malformed) {
        var input = chunk
        if carry.readableBytes > 0 {
            // A new buffer of the two: appending to the carried one would grow the storage of the
            // chunk it was cut from, every byte read before it included.
            input = ByteBufferAllocator().buffer(capacity: carry.readableBytes + chunk.readableBytes)
            input.writeImmutableBuffer(carry)
            input.writeImmutableBuffer(chunk)
            carry = ByteBuffer()
        }
        while input.readableBytes > 0 {
            switch state {
            case .preamble:
                if atStart {
                    // The body opens with `--boundary` (no CRLF before it), as every client sends it.
                    let opening = delimiter.dropFirst(2)
                    let bytes = input.readableBytesView
                    if bytes.count < opening.count, opening.starts(with: bytes) {
                        carry = input
                        return
                    }
                    atStart = false
                    if bytes.starts(with: opening) {
                        input.moveReaderIndex(forwardBy: opening.count)
                        state = .afterDelimiter
                        continue
                    }
                }
                guard let at = Self.find(delimiter, in: input) else {
                    // The preamble is dropped, all but what may begin the first delimiter.
                    input.moveReaderIndex(forwardBy: max(0, input.readableBytes - (delimiter.count - 1)))
                    carry = input
                    return
                }
                input.moveReaderIndex(forwardBy: at + delimiter.count)
                state = .afterDelimiter
            case .afterDelimiter:
                let bytes = input.readableBytesView
                guard bytes.count >= 2 else { carry = input; return }
                if bytes.starts(with: [45, 45]) {  // "--": the closing delimiter
                    state = .epilogue
                    continue
                }
                // Transport padding (spaces and tabs), then CRLF.
                guard let end = bytes.firstIndex(where: { $0 != 32 && $0 != 9 }) else {
                    guard bytes.count <= 64 else { throw Malformed(reason: "padding after a boundary is too long") }
                    carry = input
                    return
                }
                guard bytes.endIndex - end >= 2 else { carry = input; return }
                guard bytes[end] == 13, bytes[end + 1] == 10 else {
                    throw Malformed(reason: "a boundary is not followed by a line end")
                }
                input.moveReaderIndex(to: end + 2)
                state = .headers
                headerBytes = 0
                emit(.partStart)
            case .headers:
                guard let lineEnd = Self.find([13, 10], in: input) else {
                    guard headerBytes + input.readableBytes <= maxHeaderBytes else {
                        throw Malformed(reason: "a part's headers are longer than \(maxHeaderBytes) bytes")
                    }
                    carry = input
                    return
                }
                headerBytes += lineEnd + 2
                guard headerBytes <= maxHeaderBytes else {
                    throw Malformed(reason: "a part's headers are longer than \(maxHeaderBytes) bytes")
                }
                let line = input.readString(length: lineEnd) ?? ""
                input.moveReaderIndex(forwardBy: 2)
                guard !line.isEmpty else {
                    state = .body
                    continue
                }
                guard let colon = line.firstIndex(of: ":") else { throw Malformed(reason: "a part's header has no colon") }
                let name = String(line[..<colon]).trimmingSpaces
                guard !name.isEmpty else { throw Malformed(reason: "a part's header has no name") }
                emit(.header(name: name, value: String(line[line.index(after: colon)...]).trimmingSpaces))
            case .body:
                if let at = Self.find(delimiter, in: input) {
                    if at > 0, let bytes = input.readSlice(length: at) { emit(.body(bytes)) }
                    input.moveReaderIndex(forwardBy: delimiter.count)
                    state = .afterDelimiter
                    emit(.partEnd)
                } else {
                    // All but a tail that may be the start of the next delimiter.
                    let sure = input.readableBytes - delimiterPrefix(endingAt: input)
                    if sure > 0, let bytes = input.readSlice(length: sure) { emit(.body(bytes)) }
                    if input.readableBytes > 0 { carry = input }
                    return
                }
            case .epilogue:
                return
            }
        }
    }

    /// The length of the longest tail of `buffer` that begins the delimiter (0 when none does).
    private func delimiterPrefix(endingAt buffer: ByteBuffer) -> Int {
        let bytes = buffer.readableBytesView
        var start = bytes.endIndex - min(bytes.count, delimiter.count - 1)
        while start < bytes.endIndex {
            if bytes[start] == 13, bytes[start...].elementsEqual(delimiter.prefix(bytes.endIndex - start)) {
                return bytes.endIndex - start
            }
            start += 1
        }
        return 0
    }

    /// The offset of the first `needle` in `buffer`'s readable bytes.
    static func find(_ needle: [UInt8], in buffer: ByteBuffer) -> Int? {
        buffer.withUnsafeReadableBytes { haystack in
            needle.withUnsafeBytes { needle in
                guard let base = haystack.baseAddress, let bytes = needle.baseAddress, haystack.count >= needle.count,
                    let found = cmemory_find(base, haystack.count, bytes, needle.count)
                else { return nil }
                return found - base
            }
        }
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (a header's optional whitespace).
    fileprivate var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
