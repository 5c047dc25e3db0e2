import ArgumentParser
import Re4CLI
import Re4Core

@main
struct Re4: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "re4",
        abstract: "Train and evaluate multi-interest recommenders (ComiRec + Re4).",
        discussion: """
            Examples:
              re4 data stats ml-latest-small
              re4 data fetch ml-1m && re4 data stats ml-1m
              re4 train --data ml-latest-small --epochs 5 --out runs/re4
              re4 evaluate --checkpoint runs/re4/best.safetensors
            """,
        version: Toolkit.version,
        subcommands: [DataCommand.self, TrainCommand.self, EvaluateCommand.self, ExportCommand.self, ConvertCommand.self, BenchCommand.self,
                      StatusCommand.self, ArchiveCommand.self])

    /// Any error becomes one line on stderr and exit code 1.
    static func main() { mainWithOneLineErrors() }
}
