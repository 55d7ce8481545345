import Hummingbird
import MultipartKit
import NIOCore
import PipelineService
import Foundation

/// What a client sent: the file's bytes, its name, and the small form fields beside it.
struct ReceivedUpload {
    var bytes: ByteBuffer
    var filename: String?
    var fields: [String: String]
}

/// Reads an upload body as it streams in, stopping at the byte limit.
///
/// `multipart/form-data` is parsed chunk by chunk (the file is the part named `image`); any other
/// body is the file itself. The limit counts every byte of the body, envelope included.
struct UploadBodyReader {
    var maxBytes: Int
    /// Form fields other than the file are short; a longer one is malformed.
    var maxFieldBytes = 1024

    func read(_ request: Request) async throws(UploadRefusal) -> ReceivedUpload {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maxBytes {
            throw UploadRefusal.tooLarge(limit: maxBytes)
        }
        let contentType = request.headers[.contentType] ?? ""
        do {
            if let boundary = Self.multipartBoundary(contentType) {
                guard !boundary.isEmpty else { throw UploadRefusal.malformed("the multipart content type has no boundary") }
                return try await readMultipart(request.body, boundary: boundary)
            }
            return ReceivedUpload(bytes: try await collect(request.body), filename: nil, fields: [:])
        } catch let refusal as UploadRefusal {
            throw refusal
        } catch {
            throw UploadRefusal.malformed("the request body could not be read: \(error)")
        }
    }

    /// The raw body, refusing it as soon as it passes the limit.
    func collect(_ body: RequestBody) async throws -> ByteBuffer {
        var collected = ByteBuffer()
        for try await chunk in body {
            guard collected.readableBytes + chunk.readableBytes <= maxBytes else { throw UploadRefusal.tooLarge(limit: maxBytes) }
            var chunk = chunk
            collected.writeBuffer(&chunk)
        }
        return collected
    }

    func readMultipart(_ body: RequestBody, boundary: String) async throws -> ReceivedUpload {
        let parser = MultipartParser(boundary: boundary)
        var upload = ReceivedUpload(bytes: ByteBuffer(), filename: nil, fields: [:])
        var partName: String?
        var partFilename: String?
        var partBody = ByteBuffer()
        var sawImage = false
        var sawPart = false
        var fieldTooLong = false
        // A file sent under another name than `image` (`-F file=@x.png`): skipped, and named in the refusal.
        var misplacedFile: String?
        parser.onHeader = { name, value in
            sawPart = true
            guard name.lowercased() == "content-disposition" else { return }
            let parameters = Self.dispositionParameters(value)
            partName = parameters["name"]
            partFilename = parameters["filename"]
        }
        parser.onBody = { chunk in
            if partName != "image", partFilename != nil {
                misplacedFile = misplacedFile ?? partName ?? ""
                return
            }
            if partName != "image", partBody.readableBytes + chunk.readableBytes > maxFieldBytes {
                fieldTooLong = true
                return
            }
            partBody.writeBuffer(&chunk)
        }
        parser.onPartComplete = {
            if partName == "image", !sawImage {
                sawImage = true
                upload.bytes = partBody
                upload.filename = partFilename
            } else if let name = partName, name != "image", partFilename == nil {
                upload.fields[name] = String(buffer: partBody)
            }
            partName = nil
            partFilename = nil
            partBody = ByteBuffer()
        }
        var total = 0
        for try await chunk in body {
            total += chunk.readableBytes
            guard total <= maxBytes else { throw UploadRefusal.tooLarge(limit: maxBytes) }
            do {
                try parser.execute(chunk)
            } catch {
                throw UploadRefusal.malformed("the multipart body is malformed")
            }
            if fieldTooLong { throw UploadRefusal.malformed("a form field is longer than \(maxFieldBytes) bytes") }
        }
        guard sawPart else { throw UploadRefusal.malformed("the multipart body holds no part") }
        // A part still open at the end means the body was cut short.
        guard partName == nil else { throw UploadRefusal.malformed("the multipart body ends in the middle of a part") }
        guard sawImage else { throw UploadRefusal.noFile(misplacedIn: misplacedFile) }
        return upload
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
