import Foundation
import Hummingbird
import PipelineContract
import PipelineIdentity
import PipelineService

extension ImageRoutes {
    /// `GET /api/images/{id}/download`: the result as a file, `photo.png` → `photo-bw.png`.
    /// `GET /api/results.zip`: every processed result in one archive, streamed.
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
        let headers: HTTPFields = [
            .contentType: "application/zip", .cacheControl: "no-store",
            .contentDisposition: DownloadName.attachment("binarized-results.zip"),
        ]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var zip = ZipStreamWriter()
            var names = UniqueNames()
            var page = first
            while true {
                for record in page.items where record.state == .processed {
                    guard let key = record.processedKey else { continue }
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
                        try await writer.write(chunk)
                    }
                    try await writer.write(try zip.endEntry())
                }
                guard let cursor = page.nextCursor else { break }
                page = try await table.page(owner: owner, limit: 100, after: cursor)
            }
            try await writer.write(zip.finish())
            try await writer.finish(nil)
        })
    }
}
