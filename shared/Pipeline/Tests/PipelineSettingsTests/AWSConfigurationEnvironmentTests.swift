import AWSClient
import PipelineSettings
import Testing

/// The standard AWS variables, read as the AWS SDKs read them.
@Suite struct AWSConfigurationEnvironmentTests {
    let base = ["AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"]

    @Test func defaultsToRealAWSInUsEast1() throws {
        let configuration = try AWSConfiguration(environment: EnvironmentVariables(base))
        #expect(configuration.region == "us-east-1")
        #expect(configuration.endpoint == nil)
        #expect(!configuration.s3ForcePathStyle)
        #expect(configuration.endpoint(for: "sqs").url(path: "/") == "https://sqs.us-east-1.amazonaws.com/")
    }

    @Test func emulatorEndpointImpliesPathStyle() throws {
        var values = base
        values["AWS_ENDPOINT_URL"] = "http://localstack:4566"
        values["AWS_DEFAULT_REGION"] = "eu-central-1"
        let configuration = try AWSConfiguration(environment: EnvironmentVariables(values))
        #expect(configuration.endpoint == AWSEndpoint(scheme: "http", host: "localstack", port: 4566))
        #expect(configuration.s3ForcePathStyle)
        #expect(configuration.region == "eu-central-1")
        values["S3_FORCE_PATH_STYLE"] = "false"
        #expect(try !AWSConfiguration(environment: EnvironmentVariables(values)).s3ForcePathStyle)
    }

    /// `AWS_ENDPOINT_URL_S3` and `…_SQS` win over `AWS_ENDPOINT_URL` for their service alone.
    @Test func perServiceEndpointsWinForTheirService() throws {
        var values = base
        values["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4566"
        values["AWS_ENDPOINT_URL_S3"] = "http://127.0.0.1:9000"
        let configuration = try AWSConfiguration(environment: EnvironmentVariables(values))
        #expect(configuration.endpoint(for: "s3") == AWSEndpoint(scheme: "http", host: "127.0.0.1", port: 9000))
        #expect(configuration.endpoint(for: "sqs") == AWSEndpoint(scheme: "http", host: "127.0.0.1", port: 4566))
        // Alone, an S3 endpoint means an emulator's S3: path-style, and the rest still real AWS.
        let s3Only = try AWSConfiguration(environment: EnvironmentVariables(base.merging(["AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9000"]) { $1 }))
        #expect(s3Only.s3ForcePathStyle)
        #expect(s3Only.endpoint(for: "sqs").url(path: "/") == "https://sqs.us-east-1.amazonaws.com/")
        let sqsOnly = try AWSConfiguration(environment: EnvironmentVariables(base.merging(["AWS_ENDPOINT_URL_SQS": "http://127.0.0.1:9324"]) { $1 }))
        #expect(!sqsOnly.s3ForcePathStyle)
        #expect(sqsOnly.customEndpoint(for: "sqs") == AWSEndpoint(scheme: "http", host: "127.0.0.1", port: 9324))
    }

    @Test func awsRegionWinsOverDefaultRegion() throws {
        let configuration = try AWSConfiguration(environment: EnvironmentVariables(base.merging(["AWS_REGION": "ap-southeast-2", "AWS_DEFAULT_REGION": "us-west-2"]) { $1 }))
        #expect(configuration.region == "ap-southeast-2")
    }

    @Test(arguments: [
        (["AWS_SECRET_ACCESS_KEY": "x"], "AWS_ACCESS_KEY_ID"),
        (["AWS_ACCESS_KEY_ID": "x"], "AWS_SECRET_ACCESS_KEY"),
        (["AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_REGION": "Mars"], "AWS_REGION"),
        (["AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_ENDPOINT_URL": "localhost:4566"], "AWS_ENDPOINT_URL"),
        (["AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_ENDPOINT_URL_SQS": "sqs"], "AWS_ENDPOINT_URL_SQS"),
        (["AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "S3_FORCE_PATH_STYLE": "maybe"], "S3_FORCE_PATH_STYLE"),
    ])
    func badValuesNameTheVariable(_ values: [String: String], _ variable: String) {
        #expect {
            try AWSConfiguration(environment: EnvironmentVariables(values))
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.variable == variable && error.description.hasPrefix("configuration error: \(variable) ")
        }
    }

    /// ECS announces a task role's credentials endpoint in the environment.
    @Test func theEnvironmentOfAnECSTaskNamesTheEndpoint() throws {
        let configuration = try AWSConfiguration(environment: EnvironmentVariables(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"]))
        let provider = try #require(configuration.credentialsProvider as? ContainerCredentialsProvider)
        #expect(provider.url == "http://169.254.170.2/v2/credentials/abc")
        let full = try AWSConfiguration(environment: EnvironmentVariables([
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9911/creds?role=processor", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "t0k",
        ]))
        let fullProvider = try #require(full.credentialsProvider as? ContainerCredentialsProvider)
        #expect(fullProvider.url == "http://127.0.0.1:9911/creds?role=processor")
        #expect(fullProvider.authorizationToken == "t0k")
        // Keys win; neither keys nor an endpoint is the error it always was.
        #expect(try AWSConfiguration(environment: EnvironmentVariables([
            "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/x",
        ])).credentialsProvider == nil)
        #expect(throws: ConfigurationError.self) { try AWSConfiguration(environment: EnvironmentVariables([:])) }
    }
}
