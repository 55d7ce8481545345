import AWSSigV4

/// Everything the AWS clients need: region, credentials, endpoint and call behaviour.
public struct AWSConfiguration: Sendable {
    public var region: String
    /// Fixed keys; not used when ``credentialsProvider`` is set.
    public var credentials: AWSCredentials
    /// Where credentials come from when they are not fixed (an ECS task role's).
    public var credentialsProvider: (any AWSCredentialsProvider)?
    /// A custom endpoint (LocalStack, moto); nil means the real AWS endpoints of `region`.
    public var endpoint: AWSEndpoint?
    /// Custom endpoints of single services by signing name (`s3`, `sqs`): each wins over
    /// ``endpoint`` for its service, as `AWS_ENDPOINT_URL_S3` does in the AWS SDKs.
    public var serviceEndpoints: [String: AWSEndpoint]
    /// Path-style S3 URLs (`endpoint/bucket/key`) instead of virtual-hosted ones (`bucket.endpoint/key`).
    public var s3ForcePathStyle: Bool
    /// The time limit of one attempt of a call (long polls add their wait to it).
    public var timeout: Duration
    public var retry: RetryPolicy

    public init(
        region: String = "us-east-1",
        credentials: AWSCredentials,
        credentialsProvider: (any AWSCredentialsProvider)? = nil,
        endpoint: AWSEndpoint? = nil,
        serviceEndpoints: [String: AWSEndpoint] = [:],
        s3ForcePathStyle: Bool? = nil,
        timeout: Duration = .seconds(30),
        retry: RetryPolicy = RetryPolicy()
    ) {
        self.region = region
        self.credentials = credentials
        self.credentialsProvider = credentialsProvider
        self.endpoint = endpoint
        self.serviceEndpoints = serviceEndpoints
        self.s3ForcePathStyle = s3ForcePathStyle ?? (endpoint != nil || serviceEndpoints["s3"] != nil)
        self.timeout = timeout
        self.retry = retry
    }

    /// The endpoint of `service` (e.g. `sqs`): the custom one, or `https://service.region.amazonaws.com`.
    public func endpoint(for service: String) -> AWSEndpoint {
        customEndpoint(for: service) ?? AWSEndpoint(scheme: "https", host: "\(service).\(region).\(dnsSuffix)")
    }

    /// The custom endpoint of `service`: its own, else the shared one; nil on real AWS.
    public func customEndpoint(for service: String) -> AWSEndpoint? {
        serviceEndpoints[service] ?? endpoint
    }

    /// `amazonaws.com`, or `amazonaws.com.cn` in China's regions.
    public var dnsSuffix: String {
        region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
    }

    /// Whether `name` looks like an AWS region (`us-east-1`, `ap-southeast-2`, `us-gov-west-1`).
    public static func isValidRegion(_ name: String) -> Bool {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, let last = parts.last, !last.isEmpty, last.allSatisfy(\.isASCII), last.allSatisfy(\.isNumber) else {
            return false
        }
        return parts.dropLast().allSatisfy { part in !part.isEmpty && part.allSatisfy { $0.isASCII && $0.isLowercase } }
    }
}
