import ArgumentParser
import Foundation
import Re4Core
import Re4Viz

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Tabulate a hyperparameter sweep on validation: one row per setting, seeds averaged.",
        discussion: """
            Each argument is a `re4 train` output folder (config.json and log.jsonl). Runs that differ only \
            in the seed share a row (mean ± sample std); the settings that vary become columns. Each run is \
            scored at its best validation Recall@50 among its first --budget epochs, so runs of different \
            lengths compare at the same budget. Only validation metrics are shown.

            Example:
              re4-viz sweep runs/sweep/* runs/movielens-base-s* runs/movielens-re4-s* \\
                  --budget 10 --out figures/sweep.md
            """)
    @Argument(help: "Run folders.") var runs: [String]
    @Option(help: "Compare every run at its best validation epoch among its first N.") var budget: Int
    @Option(help: "Data set title for the caption.") var title: String = "Sweep"
    @Option(help: "Write the table here (markdown) instead of standard output.") var out: String?
    @Flag(help: "Also show test metrics at the validation-chosen epochs (to report settings already chosen).") var withTest = false

    func run() throws {
        guard budget >= 1 else { throw VizError.badInput("--budget must be ≥ 1") }
        let md = try Sweep.markdown(try Sweep.load(runs), budget: budget, title: title, withTest: withTest)
        if let out {
            try OutputPaths.checkDistinct(outputs: [out], inputs: runs.flatMap { [RunFolder($0).config, RunFolder($0).logJSONL] })
            try AtomicFile.write(md, to: out)
            print("wrote \(out) (\(runs.count) runs)")
        } else {
            print(md, terminator: "")
        }
    }
}
