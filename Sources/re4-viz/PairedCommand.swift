import ArgumentParser
import Foundation
import Re4CLI
import Re4Core
import Re4Viz

struct PairedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paired",
        abstract: "Re4 against Base, and the ablations against Re4, paired over a grid's seeds and test users.",
        discussion: """
            Finds the finished <prefix>-<variant>-s<seed> runs under --runs (and --archive where --runs \
            has no run of the name), takes each run's best-epoch per-user metrics (kept with an archived \
            run, else computed from its best checkpoint) and writes Re4 against Base over every seed both \
            have (paired by user, seeds by number: `re4-viz compare`'s table). With --ablation-out, also \
            Re4 without each flow against full Re4, when every seed of each has its per-user file.

            Example (what make paired runs):
              re4-viz paired --runs runs --archive figures/runs --prefix movielens \\
                  --out figures/paired-movielens.md \\
                  --ablation-out figures/paired-ablation-movielens.md
            """)
    @Option(help: "The folder holding the grid's runs.") var runs: String
    @Option(help: "Archived runs (re4 archive), used where --runs has no run of the same name.") var archive: String?
    @Option(help: "Run-name prefix (runs are <prefix>-<variant>-s<seed>).") var prefix: String
    @Option(help: "Re4 against Base (Markdown).") var out: String
    @Option(help: "Also the ablations against Re4 (Markdown).") var ablationOut: String?
    @Option(help: "Metrics, comma-separated.") var metrics: String = PairedStudy.defaultMetrics.joined(separator: ",")
    @Option(help: "Bootstrap resamples.") var resamples: Int = 10_000
    @Option(help: "Bootstrap seed.") var seed: UInt64 = 42
    @OptionGroup var data: DataOptions
    @OptionGroup var threads: ThreadsOption

    func validate() throws {
        guard (100...1_000_000).contains(resamples) else { throw ValidationError("--resamples must be between 100 and 1000000, got \(resamples)") }
    }

    func run() throws {
        var r = PairedStudy.Request(runs: runs, archive: archive, prefix: prefix, out: out)
        r.ablationOut = ablationOut; r.resamples = resamples; r.data = data.request
        r.metrics = metrics.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let w = try PairedStudy.run(r, context: AnalysisContext(threads: threads.count, seed: seed, progress: { printError($0) }))
        for l in w.lines { print(l) }
        for f in w.files { print("wrote \(f)") }
    }
}
