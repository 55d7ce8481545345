import AWSClient
import AWSSigV4

extension AWSConfiguration {
    /// The per-service endpoint variables, by signing name (the AWS SDKs' names).
    public static let serviceEndpointVariables = [
        "s3": "AWS_ENDPOINT_URL_S3", "sqs": "AWS_ENDPOINT_URL_SQS",
        "dynamodb": "AWS_ENDPOINT_URL_DYNAMODB", "streams.dynamodb": "AWS_ENDPOINT_URL_DYNAMODB_STREAMS",
    ]

    /// Reads the standard variables: `AWS_ENDPOINT_URL` (and `AWS_ENDPOINT_URL_S3`, `…_SQS`,
    /// `…_DYNAMODB`, `…_DYNAMODB_STREAMS`, which win for their service; the streams API follows
    /// DynamoDB's endpoint unless it has its own), `AWS_REGION` then `AWS_DEFAULT_REGION`, `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `S3_FORCE_PATH_STYLE`.
    /// Without keys, the container credentials that ECS announces for a task role
    /// (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`, or `…_FULL_URI` with its authorization token).
    public init(environment: EnvironmentVariables) throws(ConfigurationError) {
        let endpoint = try environment.url("AWS_ENDPOINT_URL")
        var serviceEndpoints: [String: AWSEndpoint] = [:]
        for (service, variable) in Self.serviceEndpointVariables.sorted(by: { $0.key < $1.key }) {
            serviceEndpoints[service] = try environment.url(variable)
        }
        // An emulator serves DynamoDB's stream API on DynamoDB's own port.
        if serviceEndpoints["streams.dynamodb"] == nil { serviceEndpoints["streams.dynamodb"] = serviceEndpoints["dynamodb"] }
        let regionVariable = environment["AWS_REGION"] != nil ? "AWS_REGION" : "AWS_DEFAULT_REGION"
        let region = environment.string(regionVariable, default: "us-east-1")
        guard Self.isValidRegion(region) else {
            throw ConfigurationError(variable: regionVariable, reason: "must be a region name like us-east-1, not \"\(region)\"")
        }
        let pathStyle = try environment.bool("S3_FORCE_PATH_STYLE", default: endpoint != nil || serviceEndpoints["s3"] != nil)
        if environment["AWS_ACCESS_KEY_ID"] == nil, let provider = try Self.containerProvider(environment) {
            self.init(
                region: region, credentials: AWSCredentials(accessKeyID: "", secretAccessKey: ""), credentialsProvider: provider,
                endpoint: endpoint, serviceEndpoints: serviceEndpoints, s3ForcePathStyle: pathStyle
            )
            return
        }
        let credentials = AWSCredentials(
            accessKeyID: try environment.required("AWS_ACCESS_KEY_ID"),
            secretAccessKey: try environment.required("AWS_SECRET_ACCESS_KEY"),
            sessionToken: environment["AWS_SESSION_TOKEN"]
        )
        self.init(
            region: region, credentials: credentials, endpoint: endpoint, serviceEndpoints: serviceEndpoints, s3ForcePathStyle: pathStyle
        )
    }
}

extension AWSConfiguration {
    /// The container credentials provider the environment announces, if any.
    static func containerProvider(_ environment: EnvironmentVariables) throws(ConfigurationError) -> ContainerCredentialsProvider? {
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            guard relative.hasPrefix("/") else {
                throw ConfigurationError(variable: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", reason: "must start with /, not \"\(relative)\"")
            }
            return ContainerCredentialsProvider(url: ContainerCredentialsProvider.ecsEndpoint + relative)
        }
        // Validated as an http(s) URL, then used as written (path and query included).
        guard try environment.url("AWS_CONTAINER_CREDENTIALS_FULL_URI") != nil, let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] else {
            return nil
        }
        return ContainerCredentialsProvider(
            url: full,
            authorizationToken: environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"],
            authorizationTokenFile: environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]
        )
    }
}
