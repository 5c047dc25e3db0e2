import ArgumentParser

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Import, fetch and describe data sets.",
        subcommands: [DataStatsCommand.self, DataFetchCommand.self, DataSynthCommand.self])
}
