import ArgumentParser
import Foundation
import Re4Viz

@main
struct Re4VizCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "re4-viz",
        abstract: "Look inside multi-interest models: t-SNE of interests, epoch curves, distinctness.",
        discussion: "Subcommands arrive with their issues (tsne, curves, distinct, figures).")
}
