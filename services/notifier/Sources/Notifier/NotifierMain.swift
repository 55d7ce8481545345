import Hummingbird
import Logging
import PipelineAWS
import PipelineContract
import PipelineIdentity
import PipelineService
import PipelineSettings

/// `notifier`: the web page, the image list, both images, and live events.
@main
struct NotifierMain {
    static func main() async throws {
        ServiceStartup.runTasksOnEventLoops()
        let configuration = ServiceStartup.configuration(NotifierConfiguration.self)
        let logger = Logger(label: NotifierConfiguration.serviceName)
        let clients = PipelineClients(configuration: configuration.shared.pipeline, logger: logger)
        let pipeline = configuration.shared.pipeline
        let deadLetterQueues = [pipeline.inputQueue, pipeline.processedQueue].map {
            SQSMessageQueue(sqs: clients.sqs, name: QueuePolicy.deadLetterQueueName(for: $0))
        }
        var dependencies = NotifierDependencies(
            inputBucket: clients.inputBucket, processedBucket: clients.processedBucket, processedQueue: clients.processedQueue,
            table: clients.imageTable, changes: clients.imageChanges(logger: logger),
            inputQueue: clients.inputQueue, deadLetterQueues: deadLetterQueues, pollInterval: .seconds(configuration.queuePollSeconds),
            logger: logger
        )
        dependencies.hub = ImageChangeHub(limits: configuration.eventStreams)
        let inputDeadLetters = SQSMessageQueue(sqs: clients.sqs, name: QueuePolicy.deadLetterQueueName(for: pipeline.inputQueue))
        dependencies.deadLetterOffice = DeadLetterOffice(
            deadLetters: inputDeadLetters, redrive: SQSMessageMove(from: inputDeadLetters, to: clients.inputQueue), inputQueue: clients.inputQueue,
            table: clients.imageTable, logger: logger
        )
        dependencies.retention = pipeline.retentionDays.map { .seconds($0 * 86_400) }
        dependencies.authenticator = .starting(configuration.access, logger: logger)
        let hub = dependencies.hub
        let monitor = dependencies.monitor
        let app = buildApplication(configuration: configuration, dependencies: dependencies, logger: logger)
        await ServiceRunner.runAndExit(app, clients: clients, logger: logger) {
            await hub.finishAll()
            await monitor.finishAll()
        }
    }
}
