import ArgumentParser
import Foundation
import Re4CLI
import Re4Core
import Re4Viz

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Paired tests of models against a baseline on the same users: models evaluated here, or per-user CSVs (one per seed).",
        discussion: """
            For each metric: both means, the mean per-user difference B − A with a 95 % paired bootstrap \
            interval (and a seeds-then-users bootstrap with several seeds), the Wilcoxon signed-rank p with \
            Holm's adjustment over the metrics (and over the models, with several --b), d_z, and a paired t-test over the seeds' means \
            (docs/protocol.md).

            Models (checkpoints, run folders, .pt/.pth state dicts, interest bundles) are evaluated on their \
            test users here; the first is the baseline. --a and --b take per-user CSVs or models, one per seed.

            Examples:
              re4-viz compare runs/base runs/re4 --labels Base,Re4
              re4-viz compare bundles/mine runs/re4 --data ml-1m
              for s in 1 2 3; do for v in base re4; do
                re4 evaluate --checkpoint runs/movielens-$v-s$s/best.safetensors \\
                    --per-user $v-s$s.csv; done; done
              re4-viz compare --a base-s1.csv,base-s2.csv,base-s3.csv \\
                  --b re4-s1.csv,re4-s2.csv,re4-s3.csv --labels Base,Re4
              re4-viz compare --a base-s1.csv --b re4-s1.csv --b noct-s1.csv \\
                  --labels Base,Re4,NoCt --format csv
            """)
    @Argument(help: "Models to evaluate and compare, the baseline first (one seed each): checkpoints, run folders, .pt/.pth state dicts or interest bundles.") var models: [String] = []
    @Option(help: "Model A's (the baseline's) per-user CSVs or models, comma-separated, one per seed.") var a: String?
    @Option(help: "A model's per-user CSVs or models, in the same seed order; repeat --b for several models against A.") var b: [String] = []
    @OptionGroup var data: DataOptions
    @OptionGroup var threads: ThreadsOption
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
        guard models.isEmpty || (a == nil && b.isEmpty) else { throw ValidationError("give models as arguments, or --a and --b, not both") }
        if models.isEmpty {
            guard a != nil else { throw ValidationError("give two or more models, or --a (the baseline's per-user CSVs or models) with --b") }
            guard !b.isEmpty else { throw ValidationError("give at least one --b (a model's per-user CSVs or models) to compare with --a") }
        } else {
            guard models.count >= 2 else { throw ValidationError("give two or more models: the baseline, then each model to compare with it") }
        }
        let sides = models.isEmpty ? b.count + 1 : models.count
        if let labels, labels.split(separator: ",").count != sides {
            throw ValidationError("--labels needs \(sides) names (the baseline's, then one per model), got '\(labels)'")
        }
    }

    static func list(_ s: String) -> [String] { s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }

    func run() throws {
        let groups: [[String]] = models.isEmpty ? [Self.list(a!)] + b.map(Self.list) : models.map { [$0] }
        let modelEntries = Array(Set(groups.flatMap { $0 }.filter { !$0.lowercased().hasSuffix(".csv") })).sorted()
        let defaultNames: [String]
        if !models.isEmpty {
            defaultNames = try ModelInput.resolve(models, labels: nil).map(\.label)
        } else {
            defaultNames = ["A"] + (b.count == 1 ? ["B"] : (1...b.count).map { "B\($0)" })
        }
        let names = labels.map(Self.list) ?? defaultNames
        let csvInputs = groups.flatMap { $0 }.filter { $0.lowercased().hasSuffix(".csv") }
        let outputs = try OutputSet(outputs: out.map { [$0] } ?? [],
                                    inputs: csvInputs + (modelEntries.isEmpty ? [] : try ModelArguments.inputPaths(modelEntries, labels: nil, data: data)))
        // Models are evaluated on their test users into per-user CSVs, which are then read like any other.
        var files: [String: String] = [:]
        let tmp = NSTemporaryDirectory() + "/re4-compare-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        if !modelEntries.isEmpty {
            try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
            let opened = try ModelArguments.open(modelEntries, labels: nil, data: data)
            let users = opened.dataset.users(in: .test)
            for (i, (entry, model)) in zip(modelEntries, opened.models).enumerated() {
                let bar = ProgressLine("evaluating \(opened.inputs[i].label) on \(users.count) users")
                let csv = Evaluator.perUserCSV(model: model, dataset: opened.dataset, users: users, cutoffs: RankingMetrics.cutoffs, threads: threads.count)
                bar.finish()
                let path = tmp + "/model-\(i).csv"
                try AtomicFile.write(csv, to: path)
                files[entry] = path
            }
        }
        let paths = groups.map { $0.map { files[$0] ?? $0 } }
        let results = try Comparison.run(a: paths[0], bs: Array(paths.dropFirst()), labels: names, metrics: metrics.map(Self.list), resamples: resamples,
                                             seed: seed, split: split == "all" ? nil : split)
        let text = Comparison.format(results, as: format)
        if let out { try outputs.stage(out, data: Data(text.utf8)); try outputs.commit() }
        print(text, terminator: "")
    }
}
