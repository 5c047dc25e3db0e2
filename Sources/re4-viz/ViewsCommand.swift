import ArgumentParser
import Foundation
import Re4CLI
import Re4Core
import Re4Viz

struct ViewsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "views",
        abstract: "Which Figure 4 layout shows the interests that are there: view scores per layout and space over a grid of runs.",
        discussion: """
            For every <prefix>-base-s<seed> and <prefix>-re4-s<seed> run under --runs, draws Figure 4 for \
            the same sampled test users in each layout (panels, family, map) and space (U, Z) and scores the \
            picture: the share of stars whose 10 nearest items are mostly of the category their interest \
            stands for (the matched planted category on data from `re4 data synth`; the dominant attended \
            genre otherwise). With planted data, adds each run's recovery of the planted interests. Writes a \
            Markdown table (--out) and every score as CSV (--csv).

            Or for models given one by one (checkpoints, run folders, PyTorch state dicts, interest \
            bundles), one column per label.

            Examples:
              re4-viz views --runs ../runs --prefix planted-ml1m --out views-planted.md \\
                  --csv views-planted.csv
              re4-viz views my_sa.pt my_dr.pt --labels SA,DR --data ml-1m \\
                  --out views-mine.md
            """)
    @Argument(help: ModelArguments.help) var models: [String] = []
    @Option(help: "Column names, one per model (models with one name are one column, mean ± std over them).") var labels: String?
    @Option(help: "The folder holding a grid's runs (instead of models).") var runs: String?
    @Option(help: "Run-name prefix (runs are <prefix>-<variant>-s<seed>).") var prefix: String?
    @Option(help: "The Markdown table to write.") var out: String
    @Option(help: "Also write every score to this CSV.") var csv: String?
    @Option(help: "Sampled test users per picture.") var users: Int = 20
    @OptionGroup var data: DataOptions
    @OptionGroup var tsne: TSNEOptionGroup
    @Flag(help: "Print each picture as it is drawn, on stderr.") var verbose = false

    func validate() throws {
        guard users >= 1 else { throw ValidationError("--users must be ≥ 1, got \(users)") }
        if models.isEmpty {
            guard runs != nil, prefix != nil else { throw ValidationError("give models (checkpoints, run folders, .pt/.pth, bundles), or a grid's --runs and --prefix") }
            guard labels == nil else { throw ValidationError("--labels names given models; a grid's columns are Base and Re4") }
        } else {
            guard runs == nil, prefix == nil else { throw ValidationError("give models or a grid's --runs and --prefix, not both") }
            try ModelArguments.check(models: models, labels: labels)
        }
    }

    func run() throws {
        let inputs = models.isEmpty ? [] : try ModelArguments.inputPaths(models, labels: labels, data: data)
        let outputs = try OutputSet(outputs: [out] + (csv.map { [$0] } ?? []), inputs: inputs)
        var r = ViewStudy.Request(runs: runs ?? "", prefix: prefix ?? "")
        r.users = users; r.map = MapSettings(tsne: tsne.options(defaultMetric: .cosine)); r.data = data.request
        let context = tsne.context(verbose: verbose)
        let s = models.isEmpty ? try ViewStudy.run(r, context: context)
            : try ViewStudy.run(models: ModelArguments.open(models, labels: labels, data: data), r, context: context)
        let md = ViewStudy.markdown(s)
        try outputs.stage(out, data: Data(md.utf8))
        if let csv { try outputs.stage(csv, data: Data(ViewStudy.csv(s).utf8)) }
        try outputs.commit()
        print(md, terminator: "")
    }
}
