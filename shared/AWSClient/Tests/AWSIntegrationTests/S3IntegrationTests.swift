import AWSClient
import AWSSigV4
import AWSS3
import NIOCore
import AWSTestSupport
import Testing

/// Every S3 operation against the emulator, with signatures checked for real.
@Suite struct S3IntegrationTests {
    @Test(arguments: TransportKind.allCases) func objectLifecycle(_ kind: TransportKind) async throws {
        try await IntegrationContext.run(kind) { context in
            let s3 = context.s3
            let bucket = "it-objects-\(Emulator.uniqueSuffix())"
            try await s3.createBucket(bucket: bucket)
            try await s3.createBucket(bucket: bucket)  // a second create of one's own bucket is not an error
            try await s3.headBucket(bucket: bucket)

            // moto's signature check mis-encodes "+", "=" and non-ASCII keys (boto3 fails on them too),
            // so this key keeps to what it verifies; RequestShapeTests cover the encoding of the rest.
            let key = "dir/name with space_1.png"
            let body = ByteBuffer(bytes: (0..<5000).map { UInt8($0 % 251) })
            let etag = try await s3.putObject(bucket: bucket, key: key, body: body, contentType: "image/png", metadata: ["image-id": "abc"])
            #expect(etag != nil)

            let head = try await s3.headObject(bucket: bucket, key: key)
            #expect(head.contentLength == 5000)
            #expect(head.contentType == "image/png")
            #expect(head.metadata["image-id"] == "abc")
            #expect(head.eTag == etag)

            let object = try await s3.getObject(bucket: bucket, key: key, maxBytes: 5000)
            #expect(object.body == body)
            #expect(object.head.contentType == "image/png")

            let (streamHead, stream) = try await s3.getObjectStream(bucket: bucket, key: key)
            var streamed = ByteBuffer()
            for try await var chunk in stream { streamed.writeBuffer(&chunk) }
            #expect(streamed == body)
            #expect(streamHead.contentLength == 5000)

            await #expect {
                _ = try await s3.getObject(bucket: bucket, key: key, maxBytes: 4999)
            } throws: { error in
                if case .responseTooLarge(4999) = error as? AWSError { return true }
                return false
            }

            try await s3.deleteObject(bucket: bucket, key: key)
            try await s3.deleteObject(bucket: bucket, key: key)  // deleting twice is fine
            await #expect {
                _ = try await s3.getObject(bucket: bucket, key: key)
            } throws: { error in
                (error as? AWSError)?.serviceCode == "NoSuchKey"
            }
            await #expect {
                _ = try await s3.getObjectStream(bucket: bucket, key: key)
            } throws: { error in
                (error as? AWSError)?.serviceCode == "NoSuchKey"
            }
            await #expect {
                _ = try await s3.headObject(bucket: bucket, key: key)
            } throws: { error in
                guard case .service(let service) = error as? AWSError else { return false }
                return service.statusCode == 404
            }
        }
    }

    @Test(arguments: TransportKind.allCases) func listingWithPrefixAndPagination(_ kind: TransportKind) async throws {
        try await IntegrationContext.run(kind) { context in
            let s3 = context.s3
            let bucket = "it-list-\(Emulator.uniqueSuffix())"
            try await s3.createBucket(bucket: bucket)
            let keys = (0..<7).map { "p_\($0)" } + ["q_0", "q_1"]
            for key in keys {
                try await s3.putObject(bucket: bucket, key: key, body: ByteBuffer(string: key), contentType: "text/plain")
            }
            let first = try await s3.listObjectsV2(bucket: bucket, prefix: "p_", maxKeys: 3)
            #expect(first.objects.map(\.key) == ["p_0", "p_1", "p_2"])
            #expect(first.nextContinuationToken != nil)
            let all = try await s3.listAllObjects(bucket: bucket, prefix: "p_", pageSize: 3)
            #expect(all.map(\.key) == (0..<7).map { "p_\($0)" })
            #expect(all.allSatisfy { $0.size == 3 && $0.lastModified != nil })
            #expect(try await s3.listAllObjects(bucket: bucket).count == 9)
        }
    }

    /// RETENTION_DAYS: a whole-bucket expiration rule, read back, and removed again.
    @Test func bucketExpirationIsSetReadAndRemoved() async throws {
        try await IntegrationContext.run(.nio) { context in
            let s3 = context.s3
            let bucket = "it-expiry-\(Emulator.uniqueSuffix())"
            try await s3.createBucket(bucket: bucket)
            #expect(try await s3.expirationDays(bucket: bucket) == nil)
            try await s3.setExpiration(bucket: bucket, days: 30)
            #expect(try await s3.expirationDays(bucket: bucket) == 30)
            try await s3.setExpiration(bucket: bucket, days: 7)
            #expect(try await s3.expirationDays(bucket: bucket) == 7)
            try await s3.setExpiration(bucket: bucket, days: nil)
            #expect(try await s3.expirationDays(bucket: bucket) == nil)
        }
    }

    @Test(arguments: TransportKind.allCases) func wrongSecretIsRefusedAsSignatureDoesNotMatch(_ kind: TransportKind) async throws {
        guard var configuration = try Emulator.configuration() else { return }
        configuration.credentials.secretAccessKey += "-wrong"
        configuration.retry = .none
        let transport = kind.make()
        let s3 = S3Client(configuration: configuration, transport: transport)
        await #expect {
            try await s3.createBucket(bucket: "it-denied-\(Emulator.uniqueSuffix())")
        } throws: { error in
            guard case .service(let service) = error as? AWSError else { return false }
            return service.code == "SignatureDoesNotMatch" && service.statusCode == 403
        }
        try await transport.shutdown()
    }
}
