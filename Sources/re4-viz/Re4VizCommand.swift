import ArgumentParser
import Re4CLI
import Re4Core

@main
struct Re4VizCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "re4-viz",
        abstract: "Look inside multi-interest models: t-SNE of interests, epoch curves, distinctness.",
        discussion: """
            Examples:
              re4-viz tsne runs/base/best.safetensors runs/re4/best.safetensors \\
                  --labels Base,Re4 --out fig4.png
              re4-viz distinct runs/base/best.safetensors runs/re4/best.safetensors
              re4-viz curves runs/base/log.jsonl runs/re4/log.jsonl --labels Base,Re4 \\
                  --out curves.png
              re4-viz embed items.npy --out items-2d.npy --report
            """,
        version: Toolkit.version,
        subcommands: [TSNECommand.self, EmbedCommand.self, ExploreCommand.self, ViewsCommand.self, CompareCommand.self, CurvesCommand.self, DistinctCommand.self, FiguresCommand.self, GalleryCommand.self, SweepCommand.self, PairedCommand.self, ScatterCommand.self])

    /// Any error becomes one line on stderr and exit code 1.
    static func main() { mainWithOneLineErrors() }
}
