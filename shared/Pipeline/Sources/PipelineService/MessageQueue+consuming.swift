import Logging
import PipelineContract
import ServiceLifecycle

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

extension MessageQueue {
    /// One long poll of a consumer that stops gracefully. Returns nil once the service is stopping:
    /// what the poll brought is released at once, and the consumer should end. A failed receive is
    /// logged and followed by `backoff`'s pause; it returns no messages then.
    ///
    /// The poll is never cut short: SQS keeps a cancelled poll open and would hide what it takes
    /// for the visibility timeout (docs/design.md#shutdown).
    public func receiveUnlessStopping(
        maxMessages: Int, waitSeconds: Int, visibilityTimeout: Int?, backoff: inout ReceiveBackoff, logger: Logger
    ) async -> [QueueMessage]? {
        let messages: [QueueMessage]
        do {
            messages = try await receive(maxMessages: maxMessages, waitSeconds: waitSeconds, visibilityTimeout: visibilityTimeout)
        } catch {
            if Task.isShuttingDownGracefully || Task.isCancelled { return nil }
            logger.warning("receiving failed", metadata: ["queue": .string(name), "error": .string("\(error)")])
            await backoff.pause()
            return []
        }
        backoff.succeeded()
        if Task.isShuttingDownGracefully {
            await release(messages, logger: logger)
            return nil
        }
        return messages
    }
}
