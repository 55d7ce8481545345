import AWSClient
import Logging
import PipelineAWS
import PipelineContract
import PipelineSettings
import PipelineTestSupport
import Testing

/// What a failed queue call tells its caller: a refusal did nothing; anything else may have
/// been done, or may work when tried again (the upload API asks a send again only then).
@Suite struct SQSMessageQueueIntegrationTests {
    @Test func aRefusedSendIsNotTransient() async throws {
        guard let environment = try TestPipeline.environment("itq") else { return }
        let configuration = try PipelineConfiguration(environment: environment)
        try await withClients(configuration) { context in
            let missing = SQSMessageQueue(sqs: context.sqs, name: "no-such-queue-\(UInt32.random(in: 0...UInt32.max)).fifo")
            let error = await #expect(throws: MessageQueueError.self) {
                try await missing.send(body: "a", groupID: "a", deduplicationID: "a")
            }
            #expect(error?.isTransient == false, "\(String(describing: error))")
        }
    }

    @Test func anUnreachableQueueIsTransient() async throws {
        guard var environment = try TestPipeline.environment("itu") else { return }
        environment.values["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"  // discard: nothing listens
        let configuration = try PipelineConfiguration(environment: environment)
        // The lean transport gives up on a refused connection at once (AsyncHTTPClient's keeps
        // trying until its connect timeout).
        let clients = PipelineClients(configuration: configuration, logger: Logger(label: "test"), transport: NIOHTTPTransport())
        let error = await #expect(throws: MessageQueueError.self) {
            try await clients.inputQueue.send(body: "a", groupID: "a", deduplicationID: "a")
        }
        try await clients.shutdown()
        #expect(error?.isTransient == true, "\(String(describing: error))")
    }
}
