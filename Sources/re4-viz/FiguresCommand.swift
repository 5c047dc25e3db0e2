import ArgumentParser
import Foundation
import Plot
import Re4CLI
import Re4Viz

struct FiguresCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "figures",
        abstract: "Regenerate the reproduction's tables and figures from a folder of finished runs.",
        discussion: """
            Runs are folders named <prefix>-<variant>-s<seed> (variants: base, re4, noct, noatt, nocs, \
            sa-base, sa-re4, dr-base, dr-re4), each a `re4 train` output with log.jsonl and \
            best.safetensors. Writes results.md, fig3-curves-NAME.png, fig4-tsne-NAME.png (+ .csv), \
            item-map-NAME.png, distinctness-NAME.md/.png and ablation-NAME.png; what the runs do not allow \
            (say, no ablation runs) is left out. The same runs, seed and threads give the same bytes.

            Examples:
              re4-viz figures --runs runs --archive figures/runs --prefix movielens \\
                  --data ml-1m --title MovieLens-1M --out figures
              re4-viz figures --runs out/runs --prefix demo --data ml-latest-small \\
                  --out out --dpi 100
            """)
    @Option(help: "Folder holding the runs.") var runs: String
    @Option(help: "Folder of archived runs (re4 archive): config, log, best epoch's per-user metrics, and best.safetensors where kept (--checkpoint); used where --runs has no run of that name. Runs without a checkpoint give the tables, Figure 3 and the ablation only.")
    var archive: String?
    @Option(help: "Run-name prefix, e.g. movielens for movielens-re4-s1.") var prefix: String
    @OptionGroup var data: DataOptions
    @Option(help: "File-name suffix (default: the prefix).") var name: String?
    @Option(help: "Data set title in figure captions (default: the data set's name).") var title: String?
    @Option(help: "Output folder (must exist).") var out: String
    @Option(help: "Resolution of the PNGs.") var dpi: Double = 200
    @OptionGroup var style: FigureStyleOptions
    @Option(help: "Sampled test users in the t-SNE figures.") var users: Int = 6
    @Option(help: "Sample this many test users for the distinctness statistics (default: all).") var distinctUsers: Int?
    @Option(help: "Compare the ablation at this many epochs (each run's best validation epoch among its first N).") var ablationEpochs: Int?
    @Option(help: "Seed for user samples, t-SNE and bootstrap.") var seed: UInt64 = 42
    @Flag(help: "Keep runs still training (neither their last epoch nor their patience reached).") var includeUnfinished = false
    @OptionGroup var threads: ThreadsOption

    func validate() throws {
        guard users >= 1 else { throw ValidationError("--users must be ≥ 1, got \(users)") }
        if let n = distinctUsers, n < 2 { throw ValidationError("--distinct-users must be ≥ 2, got \(n)") }
        if let n = ablationEpochs, n < 1 { throw ValidationError("--ablation-epochs must be ≥ 1, got \(n)") }
        try style.checkResolution(dpi: dpi)
    }

    func run() throws {
        var o = FigureSet.FigureOptions(runs: runs, prefix: prefix, name: name ?? prefix, dataTitle: title ?? "", out: out)
        o.dpi = dpi; o.users = users; o.distinctUsers = distinctUsers; o.ablationEpochs = ablationEpochs
        o.includeUnfinished = includeUnfinished; o.archive = archive
        o.style = try style.style()
        let written = try FigureSet.run(o, data: data.request, context: AnalysisContext(threads: threads.count, seed: seed, progress: { print($0) }))
        print("wrote \(written.count) files into \(out)")
    }
}
