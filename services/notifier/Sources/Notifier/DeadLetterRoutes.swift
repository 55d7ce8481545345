import Foundation
import Hummingbird
import Logging
import PipelineIdentity
import PipelineContract
import PipelineService

/// `GET /api/dead-letters` (the input queue's dead letters, with each image's last error) and
/// `POST /api/dead-letters/redrive` (send them all back to the input queue), for administrators
/// (and the one user without sign-in): anyone else gets 403.
struct DeadLetterRoutes: Sendable {
    let office: DeadLetterOffice

    struct Listing: Encodable, Sendable {
        var images: [DeadLetterOffice.Letter]
    }

    func addRoutes(to api: RouterGroup<ServiceRequestContext>) {
        api.get("dead-letters") { _, context in
            try Self.requireAdministrator(context)
            do {
                return JSONBody(Listing(images: try await office.list()))
            } catch {
                context.logger.warning("the dead letters could not be read", metadata: ["error": "\(error)"])
                throw APIError.unavailable("The dead-letter queue")
            }
        }
        api.post("dead-letters/redrive") { request, context in
            try Self.requireAdministrator(context)
            // A JSON request cannot come from another site's form without a CORS preflight, which
            // this API never allows: a page elsewhere cannot make a signed-in administrator's
            // browser send the dead letters back.
            guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true else {
                throw APIError(.unsupportedMediaType, code: "json_required", message: "Send this request as application/json.")
            }
            do {
                let report = try await office.redriveAll()
                context.logFields["redrive"] = .string(report.method)
                return JSONBody(report)
            } catch {
                context.logger.error("sending the dead letters back failed", metadata: ["error": "\(error)"])
                throw APIError.unavailable("The dead-letter queue")
            }
        }
    }

    static func requireAdministrator(_ context: ServiceRequestContext) throws {
        guard try context.requireCaller().seesDeadLetters else {
            throw APIError(.forbidden, code: "forbidden", message: "Dead letters are shown to administrators only.")
        }
    }
}
