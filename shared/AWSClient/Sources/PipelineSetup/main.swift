import AWSClient
import Foundation
import Logging
import PipelineContract

// pipeline-setup: creates the pipeline's buckets and queues (idempotent), on an emulator or on
// real AWS, from the same environment variables as the services.
let configuration: PipelineConfiguration
do {
    configuration = try PipelineConfiguration(component: .setup)
} catch {
    FileHandle.standardError.write(Data("pipeline-setup: \(error)\n".utf8))
    exit(2)
}
PipelineLogging.bootstrap(level: configuration.logLevel, format: configuration.logFormat)
let logger = Logger(label: "pipeline-setup")
let clients = PipelineClients(configuration: configuration, logger: logger)
var status: Int32 = 0
do {
    let report = try await PipelineResources(s3: clients.s3, sqs: clients.sqs, configuration: configuration).ensure()
    let target = configuration.aws.endpoint?.description ?? "AWS \(configuration.aws.region)"
    for line in report.lines { print("pipeline-setup: \(line) (\(target))") }
} catch {
    FileHandle.standardError.write(Data("pipeline-setup: failed: \(error)\n".utf8))
    status = 1
}
try? await clients.shutdown()
exit(status)
