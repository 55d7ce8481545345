import Hummingbird
import NIOCore
import PipelineConcurrency
import PipelineService
import Foundation
import PipelineContract

/// An upload body read as it streams in: the file's bytes chunk by chunk, its name, and the small
/// form fields beside it, refused as soon as it passes the byte limit.
///
/// `multipart/form-data` is scanned chunk by chunk (``MultipartScanner``; the file is the part
/// named `image`); any other body is the file itself. The limit counts every byte of the body,
/// envelope included. The file's chunks end only with the whole body, once its end has been
/// checked (every part closed, a file sent, the fields valid through `checkAtEnd`), so a store that
/// writes them completes an object only for an upload that is accepted whole.
///
/// One task reads it at a time (the upload's), which is why it needs no lock.
final class UploadBodyStream: @unchecked Sendable {
    let maxBytes: Int
    /// Form fields other than the file are short; a longer one is malformed.
    let maxFieldBytes: Int
    /// Runs on the form's fields once the body has ended; a refusal there refuses the upload.
    let checkAtEnd: ([String: String]) throws(UploadRefusal) -> Void
    private var chunks: RequestBody.AsyncIterator
    /// Nil for a body that is the file itself.
    private var scanner: MultipartScanner?
    /// File bytes parsed and not handed out yet.
    private var pending: [ByteBuffer] = []
    private var received = 0
    private var ended = false
    private var refusal: UploadRefusal?
    /// Opened when the body has ended, well or not: the deadline of the work after it starts then.
    let bodyEnded = Gate()

    private(set) var fields: [String: String] = [:]
    private(set) var filename: String?
    private var sawImage = false
    private var sawPart = false
    /// What the part being parsed is, once its Content-Disposition has been read.
    private enum Part { case file, field(String), skipped }
    private var part: Part?
    private var partBody = ByteBuffer()
    /// A file sent under another name than `image` (`-F file=@x.png`): skipped, and named in the refusal.
    private var misplacedFile: String?

    init(
        _ request: Request, maxBytes: Int, maxFieldBytes: Int = 1024,
        checkAtEnd: @escaping ([String: String]) throws(UploadRefusal) -> Void
    ) throws(UploadRefusal) {
        self.maxBytes = maxBytes
        self.maxFieldBytes = maxFieldBytes
        self.checkAtEnd = checkAtEnd
        chunks = request.body.makeAsyncIterator()
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maxBytes {
            throw UploadRefusal.tooLarge(limit: maxBytes)
        }
        guard let boundary = Self.multipartBoundary(request.headers[.contentType] ?? "") else {
            scanner = nil
            sawImage = true
            return
        }
        guard !boundary.isEmpty else { throw UploadRefusal.malformed("the multipart content type has no boundary") }
        scanner = MultipartScanner(boundary: boundary)
    }

    /// What the scanner found, in order.
    private func handle(_ event: MultipartScanner.Event) {
        switch event {
        case .partStart:
            sawPart = true
            part = .skipped  // until its Content-Disposition names it
        case .header(let name, let value):
            guard name.lowercased() == "content-disposition" else { return }
            let parameters = Self.dispositionParameters(value)
            let partName = parameters["name"] ?? ""
            switch (partName, parameters["filename"]) {
            case ("image", let name) where !sawImage:
                sawImage = true
                filename = name
                part = .file
            case ("image", _):
                part = .skipped  // a second file: the first one counts
            case (_, _?):
                misplacedFile = misplacedFile ?? partName
                part = .skipped
            default:
                part = .field(partName)
            }
        case .body(var chunk):
            switch part {
            case .file:
                pending.append(chunk)
            case .field where partBody.readableBytes + chunk.readableBytes > maxFieldBytes:
                refusal = refusal ?? .malformed("a form field is longer than \(maxFieldBytes) bytes")
            case .field:
                partBody.writeBuffer(&chunk)
            case .skipped, nil:
                break
            }
        case .partEnd:
            if case .field(let name) = part { fields[name] = String(buffer: partBody) }
            part = nil
            partBody = ByteBuffer()
        }
    }

    /// The next chunk of the file; nil once the whole body has ended and been checked.
    func next() async throws(UploadRefusal) -> ByteBuffer? {
        while pending.isEmpty {
            if ended { return nil }
            let chunk: ByteBuffer?
            do {
                chunk = try await chunks.next()
            } catch let idle as RequestBodyIdle {
                finish()
                throw .bodyIdle(seconds: Int(idle.timeout.components.seconds))
            } catch {
                finish()
                throw .malformed("the request body could not be read: \(error)")
            }
            guard let chunk else {
                finish()
                try checkEnd()
                return nil
            }
            received += chunk.readableBytes
            guard received <= maxBytes else {
                finish()
                throw .tooLarge(limit: maxBytes)
            }
            guard scanner != nil else {
                if chunk.readableBytes > 0 { pending.append(chunk) }
                continue
            }
            do {
                try scanner?.scan(chunk) { handle($0) }
            } catch {
                finish()
                throw .malformed("the multipart body is malformed: \(error.reason)")
            }
            if let refusal {
                finish()
                throw refusal
            }
        }
        return pending.removeFirst()
    }

    /// At least `count` bytes of the file (fewer only when the file is shorter), for the header check.
    func prefix(_ count: Int) async throws(UploadRefusal) -> ByteBuffer {
        var prefix = ByteBuffer()
        while prefix.readableBytes < count, var chunk = try await next() {
            prefix.writeBuffer(&chunk)
        }
        if prefix.readableBytes > 0 { pending.insert(prefix, at: 0) }
        return prefix
    }

    /// The file's chunks as a store reads them: refusals pass through as they are.
    var file: ObjectBodyStream {
        ObjectBodyStream { try await self.next() }
    }

    private func finish() {
        ended = true
        pending = []
        bodyEnded.open()
    }

    /// What can only be known at the end: the multipart envelope was whole and held the file.
    private func checkEnd() throws(UploadRefusal) {
        if let scanner {
            guard sawPart else { throw .malformed("the multipart body holds no part") }
            // A part still open at the end, or no closing boundary, means the body was cut short.
            guard !scanner.isInPart else { throw .malformed("the multipart body ends in the middle of a part") }
            guard scanner.isFinished else { throw .malformed("the multipart body ends without its closing boundary") }
            guard sawImage else { throw .noFile(misplacedIn: misplacedFile) }
        }
        try checkAtEnd(fields)
    }

    /// The boundary of a `multipart/form-data` content type, or nil for any other type.
    static func multipartBoundary(_ contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for part in parts.dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return value.isEmpty ? nil : value
            }
        }
        return ""  // multipart without a boundary: malformed, refused by the caller
    }

    /// `form-data; name="image"; filename="a.png"` → ["name": "image", "filename": "a.png"].
    static func dispositionParameters(_ value: String) -> [String: String] {
        var parameters: [String: String] = [:]
        for part in value.split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            var text = pair[1]
            if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = String(text.dropFirst().dropLast()) }
            parameters[pair[0].lowercased()] = text.replacingOccurrences(of: "\\\"", with: "\"")
        }
        return parameters
    }
}
