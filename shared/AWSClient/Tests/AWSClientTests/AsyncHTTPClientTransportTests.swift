@testable import AWSClient
import NIOCore
import Testing

@Suite struct AsyncHTTPClientTransportTests {
    @Test func transportDeadlinesKeepTheirFraction() async throws {
        let transport = AsyncHTTPClientTransport(connectTimeout: .milliseconds(500), readTimeout: .milliseconds(750))
        #expect(transport.timeAmount(.milliseconds(500)) == .milliseconds(500))
        #expect(transport.timeAmount(.milliseconds(2_250)) == .milliseconds(2_250))
        try await transport.shutdown()
    }
}
