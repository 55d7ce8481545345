import ArgumentParser

/// `pipeline-setup`: the one source of truth for the pipeline's resources, on an emulator or on
/// real AWS, from the same environment variables as the services. `make run`, compose (a one-shot
/// service) and the tests all use it.
@main
struct PipelineSetup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline-setup",
        abstract: "Creates the pipeline's buckets, queues and image table, rebuilds the table from the buckets, or shows what a service reads.",
        subcommands: [EnsureCommand.self, ReindexCommand.self, ConfigurationCommand.self],
        defaultSubcommand: EnsureCommand.self
    )
}
