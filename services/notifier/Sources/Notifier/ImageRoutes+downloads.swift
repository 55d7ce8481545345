import Foundation
import Hummingbird
import PipelineContract
import PipelineIdentity
import PipelineService
import PipelineSettings

extension ImageRoutes {
    /// `GET /api/images/{id}/download`: the result as a file, `photo.png` → `photo-bw.png`.
    /// `GET /api/results.zip`: the caller's processed results in one archive, streamed, the newest
    /// first and at most ZIP_MAX_IMAGES and ZIP_MAX_BYTES of them.
    func addDownloadRoutes(to api: RouterGroup<ServiceRequestContext>) {
        api.get("images/:id/download") { request, context in
            let record = try await record(request, context)
            guard record.state == .processed, let key = record.processedKey else {
                throw APIError(.notFound, code: "not_processed", message: "This image has not been processed (it is \(record.state.rawValue)).")
            }
            return try await image(processedBucket, key: key, request: request, attachment: DownloadName.result(of: record.filename))
        }
        api.get("results.zip") { _, context in
            try await resultsArchive(owner: try context.requireCaller().readableOwner)
        }
    }

    /// The archive of the owner's processed images (nil: everyone's), newest first, read from the table a page at a
    /// time and each PNG from the store chunk by chunk: memory does not grow with the images.
    ///
    /// It holds at most ``zipLimits`` (images, and bytes of PNGs); when more results exist, its last
    /// entry, `MORE-RESULTS.txt`, says so, and `X-Archive-Limits` states the limits up front.
    ///
    /// The status line goes out before the first object is read, so the store and the table are
    /// checked first (503 when either cannot be reached). A result deleted meanwhile is left out; a
    /// failure later cuts the download short, and the client sees an incomplete archive, never a
    /// wrong one.
    func resultsArchive(owner: String?) async throws -> Response {
        let first: ImagePage
        do {
            try await processedBucket.checkReachable()
            first = try await table.page(owner: owner, limit: 100, after: nil)
        } catch {
            throw APIError.unavailable("The image store")
        }
        let table = self.table
        let store = processedBucket
        let limits = zipLimits
        let headers: HTTPFields = [
            .contentType: "application/zip", .cacheControl: "no-store",
            .contentDisposition: DownloadName.attachment("binarized-results.zip"),
            .xArchiveLimits: "images=\(limits.images), bytes=\(limits.bytes)",
        ]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var zip = ZipStreamWriter()
            var names = UniqueNames()
            var page = first
            var images = 0
            var bytes = 0
            var leftOut = false
            pages: while true {
                for record in page.items where record.state == .processed {
                    guard let key = record.processedKey else { continue }
                    // Sizes come from the table; a result without one counts once its bytes are read.
                    guard images < limits.images, bytes < limits.bytes, bytes + (record.processedSize ?? 0) <= limits.bytes else {
                        leftOut = true
                        break pages
                    }
                    let body: ObjectBodyStream
                    do {
                        body = try await store.stream(key: key).body
                    } catch ObjectStoreError.notFound {
                        continue
                    }
                    let name = names.claim(DownloadName.result(of: record.filename))
                    try await writer.write(zip.beginEntry(name: name, modified: record.finishedAt ?? record.updatedAt))
                    for try await chunk in body {
                        zip.add(chunk)
                        bytes += chunk.readableBytes
                        try await writer.write(chunk)
                    }
                    try await writer.write(try zip.endEntry())
                    images += 1
                }
                guard let cursor = page.nextCursor else { break }
                page = try await table.page(owner: owner, limit: 100, after: cursor)
            }
            if leftOut {
                let note = ByteBuffer(string: """
                    This archive holds your \(images) newest results (at most \(limits.images) images and \(limits.bytes) bytes \
                    in one archive). The older ones are not in it: download them one by one from the page.

                    """)
                try await writer.write(zip.beginEntry(name: names.claim("MORE-RESULTS.txt"), modified: Date()))
                zip.add(note)
                try await writer.write(note)
                try await writer.write(try zip.endEntry())
            }
            try await writer.write(zip.finish())
            try await writer.finish(nil)
        })
    }
}
