import PipelineService

/// The OpenAPI 3.1 description of the notifier's JSON API, served at `GET /api/openapi.yaml`.
/// Kept in the binary so that a deployed executable needs no resource files.
enum NotifierOpenAPIDocument {
    static let yaml = #"""
        openapi: 3.1.0
        info:
          title: Image pipeline notifier API
          version: 1.0.0
          description: |
            The page's API: the caller's images, both images of one, downloads, live changes. Every
            route is the caller's: with sign-in (AUTH_MODE alb, jwt or both) the load balancer's
            x-amzn-oidc-data header or a bearer token of JWT_ISSUER says who that is (401 without);
            members of ADMIN_GROUP see every owner's images. Another owner's image id answers 404, as
            an unknown id does. Every refusal is JSON {"error", "message"}.
        security: [{}, {loadBalancer: []}, {bearer: []}]
        paths:
          /api/images:
            get:
              summary: The caller's images, newest first, a page at a time
              parameters:
                - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 500, default: 50}}
                - {name: cursor, in: query, description: A next_cursor this API gave., schema: {type: string}}
              responses:
                "200": {description: "A page: {images, next_cursor}."}
                "400": {description: "invalid_limit or invalid_cursor."}
                "503": {description: The image table cannot be read (never an empty or stale page).}
          /api/images/{id}:
            get:
              summary: One image, its state and timeline
              parameters: [{name: id, in: path, required: true, schema: {type: string}}]
              responses:
                "200": {description: The image.}
                "404": {description: No such image of the caller's.}
          /api/images/{id}/original:
            get:
              summary: The uploaded PNG
              parameters: [{name: id, in: path, required: true, schema: {type: string}}]
              responses:
                "200": {description: image/png, privately cacheable.}
                "404": {description: No such image of the caller's.}
          /api/images/{id}/processed:
            get:
              summary: The black-and-white PNG
              parameters: [{name: id, in: path, required: true, schema: {type: string}}]
              responses:
                "200": {description: image/png, privately cacheable.}
                "404": {description: No such image of the caller's, or not processed (not_processed).}
          /api/images/{id}/download:
            get:
              summary: The result as a file (photo.png becomes photo-bw.png)
              parameters: [{name: id, in: path, required: true, schema: {type: string}}]
              responses:
                "200": {description: "image/png with Content-Disposition: attachment."}
                "404": {description: No such image of the caller's, or not processed.}
          /api/results.zip:
            get:
              summary: The caller's processed results in one archive, newest first
              description: |
                PNGs stored (not compressed again), streamed as they are read. One archive holds at
                most ZIP_MAX_IMAGES results (default 500) and ZIP_MAX_BYTES of PNGs (default 1 GiB);
                when more exist, its last entry, MORE-RESULTS.txt, says so (download the older ones
                one by one).
              responses:
                "200":
                  description: application/zip.
                  headers:
                    X-Archive-Limits: {schema: {type: string}, description: "What one archive holds at most: images=N, bytes=N."}
                "503": {description: The store or the table cannot be reached (before any byte is sent).}
          /api/events:
            get:
              summary: Server-Sent Events of the caller's image changes and the pipeline's numbers
              description: |
                Every image frame has an id; send Last-Event-ID (or ?last_event_id=) to resume. A
                heartbeat comment every 15 s. At most EVENT_STREAMS_PER_OWNER (default 10) streams of
                one caller and EVENT_STREAMS_PER_TASK (default 1000) of one notifier are open at once;
                a stream whose client takes no write for 30 s is closed.
              responses:
                "200": {description: text/event-stream.}
                "429":
                  description: too_many_streams; try again after Retry-After seconds.
                  headers:
                    Retry-After: {schema: {type: integer}, description: Seconds to wait.}
          /api/pipeline:
            get:
              summary: Queue depths and outcomes per minute (dead letters for administrators)
              responses:
                "200": {description: The pipeline's numbers.}
          /api/dead-letters:
            get:
              summary: The input queue's dead letters (administrators), each image with its last error
              description: Read without taking them from the queue (each is hidden for a few seconds while read, then released).
              responses:
                "200": {description: "{images: [{image_id, filename, owner, state, error, receive_count}]} (up to 50)."}
                "403": {description: Not an administrator (forbidden).}
                "503": {description: The dead-letter queue cannot be read.}
          /api/dead-letters/redrive:
            post:
              summary: Sends every dead letter back to the input queue (administrators)
              description: |
                SQS's message move task where the queue service has one (method move_task: SQS moves
                them), otherwise each message received, sent to the input queue and then deleted
                (method receive_send_delete). Send it as application/json (a form is refused, so no
                other site can make a browser send it).
              responses:
                "200": {description: "{method, moved}."}
                "403": {description: Not an administrator (forbidden).}
                "415": {description: Not sent as application/json (json_required).}
                "503": {description: The dead-letter queue cannot be reached.}
          /api/me:
            get:
              summary: Who is signed in
              responses:
                "200": {description: "{owner, email, admin, signed_in_via, sign_out_url}."}
          /api/signout:
            get:
              summary: Clears the load balancer's session cookies, then goes to SIGN_OUT_URL
              responses:
                "302": {description: To SIGN_OUT_URL or the page.}
          /api/config:
            get:
              summary: Where the page sends uploads, and their size limit
              responses:
                "200": {description: "{upload_url, max_upload_bytes}."}
          /api/openapi.yaml:
            get:
              summary: This document
              responses:
                "200": {description: OpenAPI 3.1 YAML.}
          /healthz:
            get:
              summary: The process is up (readiness details and metrics are on the ops port, OPS_PORT, only)
              security: [{}]
              responses:
                "200": {description: Up.}
        components:
          securitySchemes:
        \#(OpenAPISecuritySchemes.yaml)
        """#
}
