import ArgumentParser
import Foundation
import Re4CLI
import Re4Core
import Re4Viz

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Paired tests of models against a baseline on the same users, from per-user CSVs (one per seed).",
        discussion: """
            For each metric: both means, the mean per-user difference B − A with a 95 % paired bootstrap \
            interval (and a seeds-then-users bootstrap with several seeds), the Wilcoxon signed-rank p with \
            Holm's adjustment over the metrics (and over the models, with several --b), d_z, and a paired t-test over the seeds' means \
            (docs/protocol.md).

            Example:
              for s in 1 2 3; do for v in base re4; do
                re4 evaluate --checkpoint runs/movielens-$v-s$s/best.safetensors \\
                    --per-user $v-s$s.csv; done; done
              re4-viz compare --a base-s1.csv,base-s2.csv,base-s3.csv \\
                  --b re4-s1.csv,re4-s2.csv,re4-s3.csv --labels Base,Re4
              re4-viz compare --a base-s1.csv --b re4-s1.csv --b noct-s1.csv \\
                  --labels Base,Re4,NoCt --format csv
            """)
    @Option(help: "Model A's (the baseline's) per-user CSVs, comma-separated, one per seed.") var a: String
    @Option(help: "A model's per-user CSVs, in the same seed order; repeat --b for several models against A.") var b: [String]
    @Option(help: "Names: A's, then one per --b (default A,B or A,B1,B2,…).") var labels: String?
    @Option(help: "Metrics to test (default: every metric the files share).") var metrics: String?
    @Option(help: "Users of this split only, where the files carry a split column: test, valid or all.") var split: String = "test"
    @Option(help: "Bootstrap resamples.") var resamples: Int = 10_000
    @Option(help: "Bootstrap seed.") var seed: UInt64 = 42
    @Option(help: "text, markdown, json or csv.") var format: Comparison.Format = .markdown
    @Option(help: "Also write the output to this file.") var out: String?

    func validate() throws {
        guard (100...1_000_000).contains(resamples) else { throw ValidationError("--resamples must be between 100 and 1000000, got \(resamples)") }
        guard ["test", "valid", "all"].contains(split) else { throw ValidationError("--split must be test, valid or all, got '\(split)'") }
        guard !b.isEmpty else { throw ValidationError("give at least one --b (a model's per-user CSVs) to compare with --a") }
        if let labels, labels.split(separator: ",").count != b.count + 1 {
            throw ValidationError("--labels needs \(b.count + 1) names (A's, then one per --b), got '\(labels)'")
        }
    }

    func run() throws {
        let list = { (s: String) in s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        let names = labels.map(list) ?? (["A"] + (b.count == 1 ? ["B"] : (1...b.count).map { "B\($0)" }))
        let outputs = try OutputSet(outputs: out.map { [$0] } ?? [], inputs: list(a) + b.flatMap(list))
        let results = try Comparison.runMany(a: list(a), bs: b.map(list), labels: names, metrics: metrics.map(list), resamples: resamples,
                                             seed: seed, split: split == "all" ? nil : split)
        let text = Comparison.format(results, as: format)
        if let out { try outputs.stage(out, data: Data(text.utf8)); try outputs.commit() }
        print(text, terminator: "")
    }
}
