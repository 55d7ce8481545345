import AWSClient
import AWSS3
import AWSSQS
import Logging
import AWSTestSupport

/// Clients on the emulator, shared by one test; nil when no emulator is configured.
struct IntegrationContext {
    let configuration: AWSConfiguration
    let transport: any AWSHTTPTransport
    let s3: S3Client
    let sqs: SQSClient

    static func make(_ kind: TransportKind) throws -> IntegrationContext? {
        guard var configuration = try Emulator.configuration() else { return nil }
        configuration.retry = RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(50))
        let transport = kind.make()
        return IntegrationContext(
            configuration: configuration, transport: transport,
            s3: S3Client(configuration: configuration, transport: transport, logger: Logger(label: "test.s3")),
            sqs: SQSClient(configuration: configuration, transport: transport, logger: Logger(label: "test.sqs"))
        )
    }

    /// Runs `body` with a context on a `kind` transport and always closes its connections.
    static func run(_ kind: TransportKind, _ body: (IntegrationContext) async throws -> Void) async throws {
        guard let context = try make(kind) else { return }
        do {
            try await body(context)
        } catch {
            try? await context.transport.shutdown()
            throw error
        }
        try await context.transport.shutdown()
    }
}
