import AWSClient
import AWSSigV4
import AWSS3
import AWSSQS
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// The S3 client's requests: URLs, headers, signing, paging.
@Suite struct S3ClientTests {
    let credentials = AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: "TOKEN")

    @Test func pathStyleOnEmulators() async throws {
        let transport = FakeTransport([FakeTransport.ok("", headers: ["ETag": "\"e\""])])
        let configuration = AWSConfiguration(credentials: credentials, endpoint: try AWSEndpoint(parsing: "http://127.0.0.1:4566"))
        let s3 = S3Client(configuration: configuration, transport: transport)
        let etag = try await s3.putObject(bucket: "image-input", key: "id_my file+ü.png", body: ByteBuffer(string: "x"),
                                          contentType: "image/png", metadata: ["Filename": "ü.png"])
        #expect(etag == "\"e\"")
        let request = try #require(transport.requests.first)
        #expect(request.url == "http://127.0.0.1:4566/image-input/id_my%20file%2B%C3%BC.png")
        #expect(request.headers.first(name: "Host") == "127.0.0.1:4566")
        #expect(request.headers.first(name: "Content-Type") == "image/png")
        #expect(request.headers.first(name: "x-amz-meta-filename") == "%C3%BC.png")
        #expect(request.headers.first(name: "x-amz-content-sha256") == SigV4Signer.payloadHash(Array("x".utf8)))
        #expect(request.headers.first(name: "X-Amz-Security-Token") == "TOKEN")
        let authorization = try #require(request.headers.first(name: "Authorization"))
        #expect(authorization.contains("Credential=AKID/"))
        #expect(authorization.contains("/us-east-1/s3/aws4_request"))
    }

    /// A service's own endpoint takes its calls; the other service keeps the shared one.
    @Test func perServiceEndpointsRouteEachServicesCalls() async throws {
        let configuration = AWSConfiguration(
            credentials: credentials, endpoint: try AWSEndpoint(parsing: "http://127.0.0.1:4566"),
            serviceEndpoints: ["s3": try AWSEndpoint(parsing: "http://127.0.0.1:9000")]
        )
        let s3Transport = FakeTransport([FakeTransport.ok("")])
        try await S3Client(configuration: configuration, transport: s3Transport).deleteObject(bucket: "b", key: "k.png")
        #expect(s3Transport.requests.first?.url == "http://127.0.0.1:9000/b/k.png")
        #expect(s3Transport.requests.first?.headers.first(name: "Host") == "127.0.0.1:9000")
        let sqsTransport = FakeTransport([FakeTransport.ok(#"{"QueueUrl": "http://127.0.0.1:4566/000000000000/q.fifo"}"#)])
        _ = try await SQSClient(configuration: configuration, transport: sqsTransport).queueURL(named: "q.fifo")
        #expect(sqsTransport.requests.first?.url == "http://127.0.0.1:4566/")
    }

    @Test func virtualHostedOnRealAWS() async throws {
        let transport = FakeTransport([FakeTransport.ok("")])
        let s3 = S3Client(configuration: AWSConfiguration(region: "eu-west-1", credentials: credentials), transport: transport)
        try await s3.deleteObject(bucket: "my-bucket", key: "a/b.png")
        #expect(transport.requests.first?.url == "https://my-bucket.s3.eu-west-1.amazonaws.com/a/b.png")
    }

    @Test func listingFollowsContinuationTokens() async throws {
        let page1 = """
            <ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t/2=</NextContinuationToken>
            <Contents><Key>a</Key><Size>1</Size><LastModified>2026-11-29T01:20:36.000Z</LastModified></Contents></ListBucketResult>
            """
        let page2 = "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>b</Key><Size>2</Size></Contents></ListBucketResult>"
        let transport = FakeTransport([FakeTransport.ok(page1), FakeTransport.ok(page2)])
        let s3 = S3Client(configuration: AWSConfiguration(credentials: credentials, endpoint: AWSEndpoint(scheme: "http", host: "h")), transport: transport)
        let all = try await s3.listAllObjects(bucket: "b", prefix: "p_")
        #expect(all.map(\.key) == ["a", "b"])
        #expect(all.first?.lastModified == Date(timeIntervalSince1970: 1_795_915_236))
        #expect(transport.requests.map(\.url) == [
            "http://h/b?list-type=2&prefix=p_",
            "http://h/b?continuation-token=t%2F2%3D&list-type=2&prefix=p_",
        ])
    }
}
