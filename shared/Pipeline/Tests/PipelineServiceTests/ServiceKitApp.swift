import Hummingbird
import HummingbirdTesting
import PipelineService

/// A router with the kit's pieces around two routes: `GET /ok`, and `GET /fail`, which throws a 413.
func kitRouter(
    origins: [String] = ["http://page.test"], contentSecurityPolicy: String? = nil
) -> Router<ServiceRequestContext> {
    let router = Router(context: ServiceRequestContext.self)
    router.addMiddleware {
        SecurityHeadersMiddleware(contentSecurityPolicy: contentSecurityPolicy)
        AllowedOriginsMiddleware(origins: origins)
    }
    router.get("ok") { _, _ in "fine" }
    router.post("items") { _, _ in HTTPResponse.Status.accepted }
    router.get("items/:id") { _, _ in "one" }
    router.get("fail") { _, _ -> String in
        throw APIError(.contentTooLarge, code: "too_large", message: "Too large.")
    }
    return router
}
