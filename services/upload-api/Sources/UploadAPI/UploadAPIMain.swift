import Hummingbird
import Logging
import PipelineContract
import PipelineService

/// `upload-api`: accepts PNG uploads, stores them in S3 and queues them on SQS.
@main
struct UploadAPIMain {
    static func main() async throws {
        let configuration = ServiceStartup.configuration(for: .uploadAPI)
        let logger = Logger(label: "upload-api")
        let clients = PipelineClients(configuration: configuration, logger: logger)
        let app = buildApplication(
            configuration: configuration,
            dependencies: UploadDependencies(store: clients.inputBucket, queue: clients.inputQueue),
            logger: logger
        )
        await ServiceRunner.runAndExit(app, logger: logger) {
            try? await clients.shutdown()
        }
    }
}
