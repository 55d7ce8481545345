import AWSSigV4
import Logging
import NIOCore
import NIOHTTP1

/// Signs, sends and retries the calls of one service (S3 or SQS); the service modules build on it.
public struct AWSServiceClient: Sendable {
    /// Turns an error response into the service's error; each protocol has its own format.
    public typealias ErrorDecoder = @Sendable (AWSHTTPResponse) -> AWSServiceError

    public let configuration: AWSConfiguration
    public let service: String
    public let signer: SigV4Signer
    let transport: any AWSHTTPTransport
    public let logger: Logger
    let decodeError: ErrorDecoder
    let sleep: @Sendable (Duration) async throws -> Void

    /// - Parameters:
    ///   - service: the signing name, `s3` or `sqs`.
    ///   - sleep: how to wait between retries (tests pass one that records instead of sleeping).
    public init(
        configuration: AWSConfiguration,
        service: String,
        uriMode: SigV4Signer.URIMode,
        transport: any AWSHTTPTransport,
        logger: Logger,
        decodeError: @escaping ErrorDecoder,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.configuration = configuration
        self.service = service
        self.signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region, service: service, uriMode: uriMode)
        self.transport = transport
        self.logger = logger
        self.decodeError = decodeError
        self.sleep = sleep
    }

    /// One call: what to send and how much to accept back.
    public struct Call: Sendable {
        public var operation: String
        public var method: HTTPMethod
        public var endpoint: AWSEndpoint
        /// The encoded path, starting with `/`.
        public var path: String
        public var query: String
        public var headers: [(name: String, value: String)]
        public var body: ByteBuffer?
        /// Send `x-amz-content-sha256` (S3 wants it on every request).
        public var contentSHA256Header: Bool
        public var maxResponseBytes: Int
        /// Overrides the configured time limit of one attempt (long polls need more).
        public var timeout: Duration?

        public init(
            operation: String, method: HTTPMethod, endpoint: AWSEndpoint, path: String, query: String = "",
            headers: [(name: String, value: String)] = [], body: ByteBuffer? = nil, contentSHA256Header: Bool = false,
            maxResponseBytes: Int = 16 << 20, timeout: Duration? = nil
        ) {
            self.operation = operation
            self.method = method
            self.endpoint = endpoint
            self.path = path
            self.query = query
            self.headers = headers
            self.body = body
            self.contentSHA256Header = contentSHA256Header
            self.maxResponseBytes = maxResponseBytes
            self.timeout = timeout
        }
    }

    /// Sends `call`, retrying what ``AWSError/isRetryable`` allows, and returns a 2xx response.
    ///
    /// - Throws: ``AWSError`` (or `CancellationError` when the task is cancelled).
    public func send(_ call: Call) async throws -> AWSHTTPResponse {
        try await withRetries(call) { request in
            let response = try await transport.execute(request)
            return response.isSuccess ? .success(response) : .failure(decodeError(response))
        }
    }

    /// Like ``send(_:)``, but hands back the body as it arrives instead of collecting it.
    /// Retries happen only before a successful response starts.
    public func stream(_ call: Call) async throws -> AWSStreamingResponse {
        try await withRetries(call) { request in
            let response = try await transport.stream(request)
            guard (200..<300).contains(response.status) else {
                // An error document is small: read up to its cap for the code and message, then stop
                // (dropping the rest of the stream cancels it).
                var body = ByteBuffer()
                for try await var chunk in response.body {
                    body.writeBuffer(&chunk)
                    if body.readableBytes >= Self.maxErrorBodyBytes { break }
                }
                return .failure(decodeError(AWSHTTPResponse(status: response.status, headers: response.headers, body: body)))
            }
            return .success(response)
        }
    }

    /// Signs and sends one attempt after another until one succeeds, a failure is not retryable,
    /// or the attempts are used up.
    func withRetries<Response>(
        _ call: Call, attempt send: (AWSHTTPRequest) async throws -> Result<Response, AWSServiceError>
    ) async throws -> Response {
        let payloadHash = call.body.map { body in body.withUnsafeReadableBytes { SigV4Signer.payloadHash($0) } }
            ?? SigV4Signer.emptyPayloadHash
        let policy = configuration.retry
        var attempt = 0
        while true {
            try Task.checkCancellation()
            let failure: AWSError
            do {
                let request = signedRequest(call, payloadHash: payloadHash, signer: try await currentSigner())
                switch try await send(request) {
                case .success(let response): return response
                case .failure(let error): failure = .service(error)
                }
            } catch let error as AWSError {
                failure = error
            } catch let error as CancellationError {
                throw error
            } catch {
                failure = .transport(String(describing: error))
            }
            attempt += 1
            guard failure.isRetryable, attempt < policy.maxAttempts else {
                if attempt > 1 {
                    logger.warning("AWS call failed after retries", metadata: [
                        "operation": .string(call.operation), "attempts": .stringConvertible(attempt), "error": .string(failure.description),
                    ])
                }
                throw failure
            }
            let delay = policy.delay(retry: attempt - 1)
            logger.debug("retrying AWS call", metadata: [
                "operation": .string(call.operation), "attempt": .stringConvertible(attempt),
                "delay_ms": .stringConvertible(delay.totalNanoseconds / 1_000_000),
                "error": .string(failure.description),
            ])
            try await sleep(delay)
        }
    }

    /// The most of an error document that is read (they are a few hundred bytes).
    static let maxErrorBodyBytes = 64 * 1024

    /// Extra time for sending a large body: a second per MiB (a 50 MiB upload gets 80 s, not 30).
    static func transferAllowance(_ body: ByteBuffer?) -> Duration {
        .seconds((body?.readableBytes ?? 0) >> 20)
    }

    /// The signer with the credentials valid now: the fixed keys', or the provider's (fetched again
    /// when they near their expiration).
    func currentSigner() async throws -> SigV4Signer {
        guard let provider = configuration.credentialsProvider else { return signer }
        let credentials = try await provider.credentials(using: transport)
        return SigV4Signer(credentials: credentials, region: configuration.region, service: service, uriMode: signer.uriMode)
    }

    /// Builds and signs the request for one attempt (a new date each time, so retries stay valid).
    func signedRequest(_ call: Call, payloadHash: String, signer: SigV4Signer) -> AWSHTTPRequest {
        var headers = call.headers
        headers.append((name: "Host", value: call.endpoint.hostHeader))
        var toSign = SigV4Request(method: call.method.rawValue, path: call.endpoint.basePath + call.path, query: call.query, headers: headers)
        signer.signHeaders(&toSign, payloadHash: payloadHash, addContentSHA256Header: call.contentSHA256Header)
        var httpHeaders = HTTPHeaders()
        for header in toSign.headers { httpHeaders.add(name: header.name, value: header.value) }
        return AWSHTTPRequest(
            method: call.method,
            url: call.endpoint.url(path: call.path, query: call.query),
            headers: httpHeaders,
            body: call.body,
            maxResponseBytes: call.maxResponseBytes,
            timeout: call.timeout ?? configuration.timeout + Self.transferAllowance(call.body),
            operation: call.operation
        )
    }
}
