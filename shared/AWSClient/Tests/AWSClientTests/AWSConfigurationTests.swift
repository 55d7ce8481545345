import AWSClient
import AWSSigV4
import Testing

@Suite struct AWSConfigurationTests {
    @Test func customEndpointsWinForTheirServiceOnly() {
        let configuration = AWSConfiguration(
            region: "eu-central-1", credentials: AWSCredentials(accessKeyID: "k", secretAccessKey: "s"),
            serviceEndpoints: ["s3": AWSEndpoint(scheme: "http", host: "127.0.0.1", port: 9000)]
        )
        #expect(configuration.endpoint(for: "s3") == AWSEndpoint(scheme: "http", host: "127.0.0.1", port: 9000))
        #expect(configuration.endpoint(for: "sqs").url(path: "/") == "https://sqs.eu-central-1.amazonaws.com/")
        #expect(configuration.s3ForcePathStyle)
    }

    @Test func regionNames() {
        for good in ["us-east-1", "eu-west-3", "ap-southeast-2", "us-gov-west-1", "cn-north-1"] { #expect(AWSConfiguration.isValidRegion(good)) }
        for bad in ["", "us", "us-east", "US-EAST-1", "us_east_1", "us-east-x"] { #expect(!AWSConfiguration.isValidRegion(bad)) }
    }
}
