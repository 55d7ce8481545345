import Hummingbird
import Logging
import PipelineContract
import PipelineService

/// `notifier`: the web page, the image list, both images, and live events.
@main
struct NotifierMain {
    static func main() async throws {
        let configuration = ServiceStartup.configuration(for: .notifier)
        let logger = Logger(label: "notifier")
        let clients = PipelineClients(configuration: configuration, logger: logger)
        let dependencies = NotifierDependencies(
            inputBucket: clients.inputBucket, processedBucket: clients.processedBucket, processedQueue: clients.processedQueue
        )
        let app = buildApplication(configuration: configuration, dependencies: dependencies, logger: logger)
        await ServiceRunner.runAndExit(app, logger: logger) {
            await dependencies.index.finishAll()
            try? await clients.shutdown()
        }
    }
}
