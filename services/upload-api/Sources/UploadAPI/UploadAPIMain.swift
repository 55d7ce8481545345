import Hummingbird
import Logging
import PipelineAWS
import PipelineService

/// `upload-api`: accepts PNG uploads, stores them in S3 and queues them on SQS.
@main
struct UploadAPIMain {
    static func main() async throws {
        let configuration = ServiceStartup.configuration(UploadAPIConfiguration.self)
        let logger = Logger(label: UploadAPIConfiguration.serviceName)
        let clients = PipelineClients(configuration: configuration.shared.pipeline, logger: logger)
        let app = buildApplication(
            configuration: configuration,
            dependencies: UploadDependencies(store: clients.inputBucket, queue: clients.inputQueue, events: clients.processedQueue),
            logger: logger
        )
        await ServiceRunner.runAndExit(app, clients: clients, logger: logger)
    }
}
