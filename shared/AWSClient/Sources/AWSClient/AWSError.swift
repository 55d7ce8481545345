/// An error answered by an AWS service (or an emulator): its code, message, status and request id.
public struct AWSServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The error code without any namespace, e.g. `NoSuchKey` or `QueueDoesNotExist`.
    public var code: String
    public var message: String
    public var statusCode: Int
    public var requestID: String?

    public init(code: String, message: String, statusCode: Int, requestID: String? = nil) {
        self.code = code
        self.message = message
        self.statusCode = statusCode
        self.requestID = requestID
    }

    public var description: String {
        var text = "\(code) (HTTP \(statusCode))"
        if !message.isEmpty { text += ": \(message)" }
        if let requestID { text += " [request \(requestID)]" }
        return text
    }

    /// The code without decoration: a namespace such as `com.amazonaws.sqs#` (JSON `__type`), a
    /// `:http://…` suffix (old REST-JSON) and the `AWS.SimpleQueueService.` prefix of SQS's legacy
    /// query codes all go, so `com.amazonaws.sqs#QueueDoesNotExist` is `QueueDoesNotExist` and
    /// `AWS.SimpleQueueService.NonExistentQueue` is `NonExistentQueue`.
    public static func normalizedCode(_ raw: String) -> String {
        var code = Substring(raw)
        if let hash = code.lastIndex(of: "#") { code = code[code.index(after: hash)...] }
        if let colon = code.firstIndex(of: ":") { code = code[..<colon] }
        let legacyPrefix = "AWS.SimpleQueueService."
        if code.hasPrefix(legacyPrefix) { code = code.dropFirst(legacyPrefix.count) }
        return String(code)
    }
}

/// Every way a call to AWS can fail.
public enum AWSError: Error, Sendable, CustomStringConvertible {
    /// The service answered with an error.
    case service(AWSServiceError)
    /// The connection could not be made or broke (refused, reset, DNS).
    case transport(String)
    /// No complete answer within the call's time limit.
    case timeout(operation: String, seconds: Double)
    /// The response body was larger than the caller allowed.
    case responseTooLarge(limit: Int)
    /// The service's answer could not be understood.
    case invalidResponse(String)

    /// Error codes that mean "slow down" or "try again", whatever the status.
    static let transientCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown",
        "PriorRequestNotComplete", "RequestTimeout", "RequestTimeoutException", "InternalError",
        "InternalFailure", "ServiceUnavailable", "KMS.ThrottlingException",
    ]

    /// Whether trying the same call again may succeed: throttling, 5xx, connection errors and timeouts.
    public var isRetryable: Bool {
        switch self {
        case .service(let error):
            error.statusCode >= 500 || error.statusCode == 429 || Self.transientCodes.contains(error.code)
        case .transport, .timeout:
            true
        case .responseTooLarge, .invalidResponse:
            false
        }
    }

    /// The service error code, if the service answered with one.
    public var serviceCode: String? {
        if case .service(let error) = self { return error.code }
        return nil
    }

    public var description: String {
        switch self {
        case .service(let error): error.description
        case .transport(let reason): "cannot reach the service: \(reason)"
        case .timeout(let operation, let seconds): "\(operation) got no answer within \(seconds) s"
        case .responseTooLarge(let limit): "the response is larger than the limit of \(limit) bytes"
        case .invalidResponse(let reason): "the service's answer could not be read: \(reason)"
        }
    }
}
