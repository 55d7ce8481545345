@testable import AWSClient
import AWSS3
import AWSSigV4
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

@Suite struct AWSServiceClientTests {
    /// A streamed call that fails reads the error document up to its cap and stops, however long
    /// the body goes on.
    @Test func errorBodyReadStopsAtItsCap() async throws {
        let transport = EndlessErrorTransport()
        let configuration = AWSConfiguration(
            credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret"),
            endpoint: AWSEndpoint(scheme: "http", host: "127.0.0.1", port: 4566),
            retry: .none
        )
        let s3 = S3Client(configuration: configuration, transport: transport)
        await #expect(throws: AWSError.self) { _ = try await s3.getObjectStream(bucket: "b", key: "k") }
        // 64 KiB cap in 16 KiB chunks: four chunks, not the thousand on offer.
        #expect(transport.chunksPulled == AWSServiceClient.maxErrorBodyBytes / EndlessErrorTransport.chunkSize)
    }
}

/// Answers every streamed request with a 500 whose body is a thousand 16 KiB chunks.
final class EndlessErrorTransport: AWSHTTPTransport {
    static let chunkSize = 16 * 1024
    private let pulled = Mutex(0)
    var chunksPulled: Int { pulled.withLock { $0 } }

    func execute(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
        throw AWSError.transport("only streams here")
    }

    func stream(_ request: AWSHTTPRequest) async throws -> AWSStreamingResponse {
        let chunks = AsyncStream<ByteBuffer>(unfolding: { [self] in
            let count = pulled.withLock { count in
                count += 1
                return count
            }
            return count <= 1000 ? ByteBuffer(repeating: UInt8(ascii: "x"), count: Self.chunkSize) : nil
        })
        return AWSStreamingResponse(status: 500, headers: [:], body: AWSByteStream(chunks))
    }
}
