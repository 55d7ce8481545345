import AWSClient
import Foundation
import Logging
import PipelineAWS
import PipelineService

// pipeline-setup: creates the pipeline's buckets and queues (idempotent), on an emulator or on
// real AWS, from the same environment variables as the services. The one source of truth for
// the resources: `make run`, compose (a one-shot service) and the tests all use it.
let configuration: PipelineConfiguration
do {
    let environment = EnvironmentVariables()
    configuration = try PipelineConfiguration(environment: environment)
    PipelineLogging.bootstrap(try LogSettings(environment: environment))
} catch {
    FileHandle.standardError.write(Data("pipeline-setup: \(error)\n".utf8))
    exit(2)
}
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
