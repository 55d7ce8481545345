import ArgumentParser
import Foundation
import Logging
import PipelineAWS
import PipelineService
import PipelineSettings

/// Rebuilds image-table items from the buckets (`pipeline-setup reindex`).
struct ReindexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex",
        abstract: "Writes an image-table item for every image in the buckets that the table does not know as far along."
    )

    func run() async throws {
        let configuration: PipelineConfiguration
        do {
            let environment = EnvironmentVariables()
            configuration = try PipelineConfiguration(environment: environment)
            PipelineLogging.bootstrap(try LogSettings(environment: environment))
        } catch {
            FileHandle.standardError.write(Data("pipeline-setup: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let logger = Logger(label: "pipeline-setup")
        let clients = PipelineClients(configuration: configuration, logger: logger)
        do {
            let report = try await ImageReindexer(
                inputBucket: clients.inputBucket, processedBucket: clients.processedBucket, table: clients.imageTable, logger: logger
            ).run()
            print("pipeline-setup: reindex: \(report.images) images in the buckets, \(report.written) items written, \(report.kept) already as far along (table \(configuration.imageTable))")
        } catch {
            FileHandle.standardError.write(Data("pipeline-setup: reindex failed: \(error)\n".utf8))
            try? await clients.shutdown()
            throw ExitCode(1)
        }
        try? await clients.shutdown()
    }
}
