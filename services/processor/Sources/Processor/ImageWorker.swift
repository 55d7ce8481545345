import Logging
import PipelineConcurrency
import PipelineContract
import PipelineService
import ServiceLifecycle

/// Long-polls the input queue and works up to `concurrency` images at once.
///
/// An image holds its slot until its result is stored; its event and its message's deletion may
/// then wait for their batches (``EventSends``, ``MessageDeletions``) while the next image runs.
///
/// Each receive asks for up to `prefetch` messages more than there are free slots: the extra
/// ones wait in hand for the next free slot instead of costing a receive each (one SQS call
/// fewer per image at a steady load). On shutdown the held ones are released at once.
///
/// On graceful shutdown (SIGTERM) it stops receiving and finishes the images it holds before
/// returning, so nothing is lost and nothing waits for a visibility timeout. The long poll under
/// way is not cut short: SQS hands out messages as it answers, so a poll cancelled on our side
/// would leave them invisible for a whole visibility timeout. It ends within `waitSeconds`, and
/// whatever it brings is released at once for another processor.
struct ImageWorker: Service {
    let queue: any MessageQueue
    let job: ImageJob
    let settings: ProcessorSettings
    let logger: Logger
    /// Pauses after failed receives, so an unreachable queue is not hammered.
    var backoff = ReceiveBackoff()

    func run() async throws {
        let slots = Slots(settings.concurrency)
        await withDiscardingTaskGroup { sender in
            if let deletions = job.deletions {
                sender.addTask { await deletions.run() }
            }
            if let events = job.events {
                let concurrency = settings.concurrency
                sender.addTask { await events.run(othersWorking: { slots.free < concurrency }) }
            }
            await work(slots: slots)
            // Every image is done: the events and deletions still waiting go out now.
            job.events?.finish()
            job.deletions?.finish()
        }
        logger.info("worker stopped")
    }

    func work(slots: Slots) async {
        // Messages received ahead of a free slot (at most `settings.prefetch`), oldest first.
        var held: [HeldMessage] = []
        var backoff = self.backoff
        await withDiscardingTaskGroup { group in
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                let free = await slots.waitForFree()
                if Task.isShuttingDownGracefully || Task.isCancelled { break }
                if held.isEmpty {
                    guard let messages = await queue.receiveUnlessStopping(
                        maxMessages: min(10, free + settings.prefetch), waitSeconds: settings.waitSeconds,
                        visibilityTimeout: settings.visibilityTimeout, backoff: &backoff, logger: logger
                    ) else { break }
                    let now = ContinuousClock.now
                    held = messages.map { HeldMessage(message: $0, receivedAt: now) }
                }
                while slots.free > 0, !held.isEmpty {
                    let next = held.removeFirst()
                    slots.take()
                    group.addTask {
                        // The slot is free again once the result is stored: the event and the
                        // deletion may wait for their batches without holding up the next image.
                        let slot = SlotRelease(slots)
                        await keepHidden(next)
                        await job.handle(next.message, whenStored: { slot.release() })
                        slot.release()
                    }
                }
            }
            logger.info("worker stopping; finishing the images in hand", metadata: ["in_flight": "\(settings.concurrency - slots.free)"])
            await queue.release(held.map(\.message), logger: logger)
        }
    }

    /// A message received before a slot was free for it.
    struct HeldMessage: Sendable {
        var message: QueueMessage
        var receivedAt: ContinuousClock.Instant
    }

    /// A message that waited for its slot longer than a heartbeat interval gets its full
    /// visibility timeout again before work starts (the job's heartbeat counts from its start).
    func keepHidden(_ held: HeldMessage) async {
        guard ContinuousClock.now - held.receivedAt >= settings.heartbeatInterval else { return }
        do {
            try await queue.changeVisibility(receiptHandle: held.message.receiptHandle, timeout: settings.visibilityTimeout)
        } catch {
            logger.warning("extending a waiting message's visibility failed", metadata: ["error": .string("\(error)")])
        }
    }
}
