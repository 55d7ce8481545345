import ArgumentParser

/// The processor's command line: `processor <subcommand>`.
@main
struct ProcessorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "processor",
        abstract: "Binarizes PNG images, bit-exact with the OpenCV reference.",
        subcommands: [ServeCommand.self, BinarizeCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
