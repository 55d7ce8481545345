/// The queues' delivery settings: `pipeline-setup` creates the queues with them, the processor
/// counts receives by them, and the AWS template declares the same.
public enum QueuePolicy {
    /// Receives after which a message moves to its dead-letter queue (the redrive policy).
    public static let maxReceiveCount = 5
    /// Seconds a received message stays invisible by default; the processor sets and extends its own.
    public static let visibilityTimeoutSeconds = 60
    /// How long a dead letter is kept: 14 days, SQS's longest.
    public static let deadLetterRetentionSeconds = 1_209_600

    /// `new-image-input.fifo` → `new-image-input-dlq.fifo`.
    public static func deadLetterQueueName(for queue: String) -> String {
        queue.hasSuffix(".fifo") ? String(queue.dropLast(5)) + "-dlq.fifo" : queue + "-dlq"
    }
}
