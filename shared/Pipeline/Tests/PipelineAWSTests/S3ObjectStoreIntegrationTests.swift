import AWSClient
import AWSS3
import AWSTestSupport
import NIOCore
import PipelineAWS
import PipelineContract
import PipelineSettings
import PipelineTestSupport
import Synchronization
import Testing

/// The S3 adapter of the store seam speaks only the seam's errors.
@Suite struct S3ObjectStoreIntegrationTests {
    /// A missing key is the image's problem (permanent); a missing bucket is the deployment's
    /// (transient, left for redelivery), so the store tells them apart.
    @Test func missingKeyAndMissingBucketAreDifferentFailures() async throws {
        guard let environment = try TestPipeline.environment("its") else { return }
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
        guard let environment = try TestPipeline.environment("its") else { return }
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

/// Streaming writes: one PutObject when small, a multipart upload in parts when large, and
/// nothing left behind when the body fails halfway.
@Suite struct S3ObjectStoreWriteTests {
    static func chunks(_ bytes: [UInt8], size: Int = 64 * 1024, failAfter: Int? = nil) -> ObjectBodyStream {
        let position = Mutex(0)
        return ObjectBodyStream {
            let range = position.withLock { offset -> Range<Int> in
                let end = min(offset + size, bytes.count)
                defer { offset = end }
                return offset..<end
            }
            if let failAfter, range.lowerBound >= failAfter { throw CancellationError() }
            guard !range.isEmpty else { return nil }
            return ByteBuffer(bytes: bytes[range])
        }
    }

    @Test(arguments: [100_000, 5 << 20, 12 << 20 + 17])
    func aStreamedBodyIsStoredWhole(_ size: Int) async throws {
        guard let environment = try TestPipeline.environment("its") else { return }
        try await withClients(try PipelineConfiguration(environment: environment)) { clients in
            let bucket = "it-write-\(Emulator.uniqueSuffix())"
            try await clients.s3.createBucket(bucket: bucket)
            let store = S3ObjectStore(s3: clients.s3, bucket: bucket)
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
            let written = try await store.write(key: "big.png", body: Self.chunks(bytes), contentType: "image/png", metadata: ["image-id": "x"])
            #expect(written == size)
            let object = try await clients.s3.getObject(bucket: bucket, key: "big.png", maxBytes: 64 << 20)
            #expect(object.body.readableBytes == size)
            #expect(Array(object.body.readableBytesView) == bytes)
            #expect(object.head.contentType == "image/png")
            #expect(object.head.metadata["image-id"] == "x")
            #expect(try await clients.s3.listMultipartUploads(bucket: bucket).isEmpty)
        }
    }

    /// `If-None-Match: *` on a single PUT and on a multipart upload's completion: the second
    /// write is refused as `alreadyExists`, the first object keeps its bytes, no upload is left.
    @Test(arguments: [100_000, 12 << 20])
    func aWriteOnlyIfAbsentNeverReplacesAnObject(_ size: Int) async throws {
        guard let environment = try TestPipeline.environment("its") else { return }
        try await withClients(try PipelineConfiguration(environment: environment)) { clients in
            let bucket = "it-absent-\(Emulator.uniqueSuffix())"
            try await clients.s3.createBucket(bucket: bucket)
            let store = S3ObjectStore(s3: clients.s3, bucket: bucket)
            let first = (0..<size).map { UInt8(truncatingIfNeeded: $0) }
            let written = try await store.write(key: "k.png", body: Self.chunks(first), contentType: "image/png", metadata: [:], ifAbsent: true)
            #expect(written == size)
            let second = (0..<size).map { UInt8(truncatingIfNeeded: $0 &+ 1) }
            await #expect(throws: ObjectStoreError.alreadyExists(key: "k.png")) {
                _ = try await store.write(key: "k.png", body: Self.chunks(second), contentType: "image/png", metadata: [:], ifAbsent: true)
            }
            let object = try await clients.s3.getObject(bucket: bucket, key: "k.png", maxBytes: 64 << 20)
            #expect(Array(object.body.readableBytesView) == first)
            #expect(try await clients.s3.listMultipartUploads(bucket: bucket).isEmpty)
        }
    }

    @Test func aBodyThatFailsHalfwayLeavesNothing() async throws {
        guard let environment = try TestPipeline.environment("its") else { return }
        try await withClients(try PipelineConfiguration(environment: environment)) { clients in
            let bucket = "it-abort-\(Emulator.uniqueSuffix())"
            try await clients.s3.createBucket(bucket: bucket)
            let store = S3ObjectStore(s3: clients.s3, bucket: bucket)
            let bytes = [UInt8](repeating: 7, count: 16 << 20)
            await #expect(throws: CancellationError.self) {
                _ = try await store.write(key: "cut.png", body: Self.chunks(bytes, failAfter: 11 << 20), contentType: "image/png", metadata: [:])
            }
            #expect(try await clients.s3.listAllObjects(bucket: bucket).isEmpty)
            #expect(try await clients.s3.listMultipartUploads(bucket: bucket).isEmpty, "two parts were up; the upload was aborted")
        }
    }
}
