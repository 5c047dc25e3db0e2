import ArgumentParser
import Foundation
import Re4CLI
import Re4Core
import Re4Viz

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Paired tests of two models on the same users, from `re4 evaluate --per-user` CSVs (one per seed).",
        discussion: """
            For each metric: both means, the mean per-user difference B − A with a 95 % paired bootstrap \
            interval (and a seeds-then-users bootstrap with several seeds), the Wilcoxon signed-rank p with \
            Holm's adjustment over the metrics, d_z, and a paired t-test over the seeds' means \
            (docs/protocol.md).

            Example:
              for s in 1 2 3; do for v in base re4; do
                re4 evaluate --checkpoint runs/ml1m-$v-s$s/best.safetensors \\
                    --per-user $v-s$s.csv; done; done
              re4-viz compare --a base-s1.csv,base-s2.csv,base-s3.csv \\
                  --b re4-s1.csv,re4-s2.csv,re4-s3.csv --labels Base,Re4
            """)
    @Option(help: "Model A's per-user CSVs, comma-separated, one per seed.") var a: String
    @Option(help: "Model B's per-user CSVs, in the same seed order.") var b: String
    @Option(help: "Names of A and B.") var labels: String = "A,B"
    @Option(help: "Metrics to test (default: every metric the files share).") var metrics: String?
    @Option(help: "Users of this split only, where the files carry a split column: test, valid or all.") var split: String = "test"
    @Option(help: "Bootstrap resamples.") var resamples: Int = 10_000
    @Option(help: "Bootstrap seed.") var seed: UInt64 = 42
    @Option(help: "Also write the table to this Markdown file.") var out: String?

    func validate() throws {
        guard (100...1_000_000).contains(resamples) else { throw ValidationError("--resamples must be between 100 and 1000000, got \(resamples)") }
        guard ["test", "valid", "all"].contains(split) else { throw ValidationError("--split must be test, valid or all, got '\(split)'") }
        guard labels.split(separator: ",").count == 2 else { throw ValidationError("--labels needs two names A,B, got '\(labels)'") }
    }

    func run() throws {
        let list = { (s: String) in s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        let l = list(labels)
        let outputs = try OutputSet(outputs: out.map { [$0] } ?? [], inputs: list(a) + list(b))
        let r = try Comparison.run(a: list(a), b: list(b), metrics: metrics.map(list), labels: (l[0], l[1]), resamples: resamples, seed: seed,
                                   split: split == "all" ? nil : split)
        let md = Comparison.markdown(r)
        if let out { try outputs.stage(out, data: Data(md.utf8)); try outputs.commit() }
        print(md, terminator: "")
    }
}
