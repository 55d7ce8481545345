import PipelineContract
import Testing

@Suite struct QueuePolicyTests {
    @Test func deadLetterQueueNames() {
        #expect(QueuePolicy.deadLetterQueueName(for: "new-image-input.fifo") == "new-image-input-dlq.fifo")
        #expect(QueuePolicy.deadLetterQueueName(for: "plain") == "plain-dlq")
    }
}
