import Logging
import PipelineContract

extension MessageQueue {
    /// Makes received messages visible again now, for another consumer: what a consumer does on
    /// shutdown with the messages its last long poll brought (docs/design.md#shutdown). One that
    /// cannot be released is logged; it comes back after its visibility timeout.
    public func release(_ messages: [QueueMessage], logger: Logger) async {
        guard !messages.isEmpty else { return }
        logger.info("releasing messages received while stopping", metadata: ["queue": .string(name), "count": "\(messages.count)"])
        for message in messages {
            do {
                try await changeVisibility(receiptHandle: message.receiptHandle, timeout: 0)
            } catch {
                logger.warning("releasing a message failed; it returns after its visibility timeout", metadata: ["error": .string("\(error)")])
            }
        }
    }
}
