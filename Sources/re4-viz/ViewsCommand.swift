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

            Example:
              re4-viz views --runs ../runs --prefix planted-ml1m --out views-planted.md \\
                  --csv views-planted.csv
            """)
    @Option(help: "The folder holding the runs.") var runs: String
    @Option(help: "Run-name prefix (runs are <prefix>-<variant>-s<seed>).") var prefix: String
    @Option(help: "The Markdown table to write.") var out: String
    @Option(help: "Also write every score to this CSV.") var csv: String?
    @Option(help: "Sampled test users per picture.") var users: Int = 20
    @OptionGroup var data: DataOptions
    @OptionGroup var tsne: TSNEOptionGroup
    @Flag(help: "Print each picture as it is drawn, on stderr.") var verbose = false

    func validate() throws {
        guard users >= 1 else { throw ValidationError("--users must be ≥ 1, got \(users)") }
    }

    func run() throws {
        let outputs = try OutputSet(outputs: [out] + (csv.map { [$0] } ?? []), inputs: [])
        var r = ViewStudy.Request(runs: runs, prefix: prefix)
        var o = tsne.options; o.metric = tsne.metric ?? .cosine
        r.users = users; r.tsne = o; r.seed = o.seed; r.data = data.request
        let s = try ViewStudy.run(r) { if verbose { printError($0) } }
        let md = ViewStudy.markdown(s)
        try outputs.stage(out, data: Data(md.utf8))
        if let csv { try outputs.stage(csv, data: Data(ViewStudy.csv(s).utf8)) }
        try outputs.commit()
        print(md, terminator: "")
    }
}
