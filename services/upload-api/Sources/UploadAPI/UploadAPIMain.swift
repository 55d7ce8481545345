import AWSClient
import CMemory
import Hummingbird
import Logging
import PipelineAWS
import PipelineIdentity
import PipelineService
import PipelineSettings

/// `upload-api`: accepts PNG uploads, stores them in S3 and queues them on SQS.
@main
struct UploadAPIMain {
    static func main() async throws {
        // An upload's task resumes where its AWS answers and body chunks arrive (docs/performance.md#tasks-on-nios-event-loops).
        ServiceStartup.runTasksOnEventLoops()
        // Uploads stream through 5 MiB part buffers that come and go; glibc would keep freed ones
        // in the heap (docs/performance.md#part-buffers-given-back-upload-api).
        cmemory_return_large_blocks()
        let configuration = ServiceStartup.configuration(UploadAPIConfiguration.self)
        let logger = Logger(label: UploadAPIConfiguration.serviceName)
        // It reads an object back only to compare a retry's bytes, which the lean transport does
        // by collecting it (docs/performance.md#the-lean-http-transport-processor-upload-api).
        let clients = PipelineClients(configuration: configuration.shared.pipeline, logger: logger, transport: NIOHTTPTransport())
        var dependencies = UploadDependencies(
            store: clients.inputBucket, queue: clients.inputQueue, events: clients.processedQueue, ledger: clients.usageLedger
        )
        dependencies.authenticator = .starting(configuration.access, logger: logger)
        let app = buildApplication(configuration: configuration, dependencies: dependencies, logger: logger)
        await ServiceRunner.runAndExit(app, clients: clients, logger: logger)
    }
}
