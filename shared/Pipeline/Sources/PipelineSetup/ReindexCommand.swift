import ArgumentParser
import Logging
import PipelineAWS
import PipelineSettings

/// Rebuilds image-table items from the buckets (`pipeline-setup reindex`).
struct ReindexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex",
        abstract: "Writes an image-table item for every image in the buckets that the table does not know as far along."
    )

    func run() async throws {
        let configuration = try SetupRun.configuration()
        let logger = Logger(label: "pipeline-setup")
        try await SetupRun.withClients(configuration, logger: logger, failing: "reindex") { clients in
            let report = try await ImageReindexer(
                inputBucket: clients.inputBucket, processedBucket: clients.processedBucket, table: clients.imageTable, logger: logger
            ).run()
            print("pipeline-setup: reindex: \(report.images) images in the buckets, \(report.written) items written, \(report.kept) already as far along (table \(configuration.imageTable))")
        }
    }
}
