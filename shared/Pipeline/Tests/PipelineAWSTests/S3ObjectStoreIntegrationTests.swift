import AWSClient
import AWSS3
import AWSTestSupport
import NIOCore
import PipelineAWS
import PipelineContract
import Testing

/// The S3 adapter of the store seam speaks only the seam's errors.
@Suite struct S3ObjectStoreIntegrationTests {
    /// A missing key is the image's problem (permanent); a missing bucket is the deployment's
    /// (transient, left for redelivery), so the store tells them apart.
    @Test func missingKeyAndMissingBucketAreDifferentFailures() async throws {
        guard let environment = try Emulator.environment() else { return }
        try await withClients(try PipelineConfiguration(environment: environment)) { clients in
            let bucket = "it-missing-\(Emulator.uniqueSuffix())"
            try await clients.s3.createBucket(bucket: bucket)
            let store = S3ObjectStore(s3: clients.s3, bucket: bucket)
            await #expect(throws: ObjectStoreError.notFound(key: "nope")) { _ = try await store.get(key: "nope", maxBytes: 10) }
            await #expect(throws: ObjectStoreError.notFound(key: "nope")) { _ = try await store.stream(key: "nope") }
            #expect(try await store.head(key: "nope") == nil)
            let gone = S3ObjectStore(s3: clients.s3, bucket: "it-no-such-bucket-\(Emulator.uniqueSuffix())")
            await #expect {
                _ = try await gone.get(key: "k", maxBytes: 10)
            } throws: { error in
                guard case .backend(let reason) = error as? ObjectStoreError else { return false }
                return reason.contains("NoSuchBucket")
            }
        }
    }

    @Test func streamedBodyArrivesWhole() async throws {
        guard let environment = try Emulator.environment() else { return }
        try await withClients(try PipelineConfiguration(environment: environment)) { clients in
            let bucket = "it-stream-\(Emulator.uniqueSuffix())"
            try await clients.s3.createBucket(bucket: bucket)
            let store = S3ObjectStore(s3: clients.s3, bucket: bucket)
            let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
            try await store.put(key: "k", body: ByteBuffer(bytes: bytes), contentType: "application/octet-stream")
            let (info, body) = try await store.stream(key: "k")
            var received: [UInt8] = []
            for try await chunk in body { received += chunk.readableBytesView }
            #expect(info.size == bytes.count)
            #expect(received == bytes)
        }
    }
}
