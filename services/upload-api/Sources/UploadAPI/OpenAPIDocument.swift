import PipelineService

/// The OpenAPI 3.1 description of the upload API, served at `GET /openapi.yaml`.
/// Kept in the binary so that a deployed executable needs no resource files.
enum OpenAPIDocument {
    static let yaml = #"""
        openapi: 3.1.0
        info:
          title: Image pipeline upload API
          version: 1.0.0
          description: |
            Accepts PNG images, stores them in S3 (INPUT_BUCKET) and queues them on SQS (INPUT_QUEUE)
            for binarization. Every refusal is JSON {"error", "message"}; nothing is stored or queued
            for a refused upload. Every image belongs to its uploader: with sign-in (AUTH_MODE alb,
            jwt or both) a request proves who it is with the load balancer's x-amzn-oidc-data header
            or a bearer token of JWT_ISSUER; without (AUTH_MODE=none) every upload is the owner "local".
        paths:
          /upload:
            post:
              summary: Upload one PNG image
              security: [{}, {loadBalancer: []}, {bearer: []}]
              description: |
                The file is checked from its bytes (PNG signature and IHDR), never from its name or
                declared type. The body is read as a stream and refused as soon as it passes
                MAX_UPLOAD_BYTES; larger bodies stream on to S3 in parts. The answer comes within 30 s
                of the body's end: when S3 or SQS are slower, 503 with Retry-After, and what was
                stored is removed again; retry with the same Idempotency-Key.
              parameters:
                - name: Idempotency-Key
                  in: header
                  description: |
                    A client's name for this upload (1-255 printable ASCII characters). A retry with
                    the same key (by the same owner) gets the same image_id and object key, so a lost
                    answer never makes a second image. The same key with other bytes or another file
                    name is refused (422 idempotency_key_reused); a stored original is never replaced.
                  schema: {type: string, minLength: 1, maxLength: 255, pattern: "^[\\x20-\\x7E]+$"}
                - name: threshold
                  in: query
                  description: |
                    Fixed threshold 0-255 (default 127, as the OpenCV reference). May also come as a
                    form field; given in both places, both are checked and must be equal (else 400).
                  schema: {type: integer, minimum: 0, maximum: 255}
                - name: method
                  in: query
                  description: fixed (default) or otsu (the threshold is chosen per image); in the query or the form, as threshold.
                  schema: {type: string, enum: [fixed, otsu]}
                - name: filename
                  in: query
                  description: The file name, for raw bodies (multipart uploads carry their own).
                  schema: {type: string}
              requestBody:
                required: true
                content:
                  multipart/form-data:
                    schema:
                      type: object
                      required: [image]
                      properties:
                        image: {type: string, format: binary, description: The PNG file.}
                        threshold: {type: integer, minimum: 0, maximum: 255}
                        method: {type: string, enum: [fixed, otsu]}
                  image/png:
                    schema: {type: string, format: binary}
              responses:
                "202":
                  description: Stored and queued for processing.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/Accepted"}
                "400":
                  description: No file (the message names the field a file came in instead), an empty file, a malformed multipart body, a bad option or Idempotency-Key.
                  content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}
                "401":
                  description: With sign-in, no valid identity (no header or token, or one that does not verify).
                  content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}
                "408":
                  description: The body stopped arriving (no byte for BODY_IDLE_SECONDS, 30); what was stored of it is removed again (body_timeout).
                  content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}
                "413":
                  description: The body is larger than MAX_UPLOAD_BYTES.
                  content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}
                "415":
                  description: The file is not a PNG (no PNG signature).
                  content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}
                "422":
                  description: A PNG with an invalid IHDR (a side over 1,000,000 included), or with width*height over MAX_PIXELS; or an Idempotency-Key already used for another upload.
                  content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}
                "429":
                  description: |
                    The owner's allowance of the day is spent (daily_limit_reached: UPLOADS_PER_OWNER_PER_DAY,
                    UPLOAD_BYTES_PER_OWNER_PER_DAY or PIXELS_PER_OWNER_PER_DAY; Retry-After until midnight UTC),
                    or the owner has MAX_UPLOADS_IN_PROGRESS_PER_OWNER uploads under way (too_many_uploads_at_once).
                  headers:
                    Retry-After: {schema: {type: integer}, description: Seconds to wait.}
                  content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}
                "503":
                  description: S3, SQS or the image table cannot be reached (unavailable), or this server has MAX_UPLOADS_IN_PROGRESS uploads under way (busy); try again after Retry-After seconds.
                  headers:
                    Retry-After: {schema: {type: integer}, description: Seconds to wait.}
                  content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}
          /healthz:
            get:
              summary: The process is up (readiness details and metrics are on the ops port, OPS_PORT, only)
              responses:
                "200": {description: Up.}
          /openapi.yaml:
            get:
              summary: This document
              responses:
                "200":
                  description: OpenAPI 3.1 YAML.
                  content: {application/yaml: {schema: {type: string}}}
        components:
          securitySchemes:
        \#(OpenAPISecuritySchemes.yaml)
          schemas:
            Accepted:
              type: object
              required: [image_id, object_key, status]
              properties:
                image_id: {type: string, format: uuid, description: "Lower-case UUID: v4, or v5 derived from the owner and the Idempotency-Key."}
                object_key: {type: string, description: "{image_id}_{sanitized filename} in INPUT_BUCKET."}
                status: {type: string, const: queued}
            Error:
              type: object
              required: [error, message]
              properties:
                error:
                  type: string
                  enum: [no_file, empty_file, malformed_request, invalid_option, invalid_idempotency_key, idempotency_key_reused, invalid_path, unauthorized, body_timeout, too_large, not_png, invalid_png, too_many_pixels, daily_limit_reached, too_many_uploads_at_once, unavailable, busy]
                message: {type: string, description: A short sentence for people.}
        """#
}
