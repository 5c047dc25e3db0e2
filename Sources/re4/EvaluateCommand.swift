import ArgumentParser
import Foundation
import Re4CLI
import Re4Core

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a checkpoint on a split: Recall, NDCG (three conventions) and HitRate @20/@50.",
        discussion: """
            Accepts checkpoints written by `re4 train` (the data opens as the run recorded it) and plain \
            safetensors exports of the authors' PyTorch module (state_dict names, no metadata; give --data). \
            The full item gallery is ranked exactly.

            Examples:
              re4 evaluate runs/re4
              re4 evaluate exports/my-model --data ml-1m      # an interest bundle
              re4 evaluate torch.safetensors --data ml-1m --split valid \\
                  --json
            """)
    @Argument(help: "The model: a checkpoint, a run folder, a .pt/.pth state dict or an interest bundle folder (a bundle needs --data).") var model: String?
    @Option(help: "The same as the argument (the older spelling).") var checkpoint: String?
    @OptionGroup var data: DataOptions
    // Optional: ArgumentParser would print the default as its raw value ("2").
    @Option(name: .customLong("split"), help: "Split: test, valid or train (default: test).") var splitGiven: SplitPart?
    var split: SplitPart { splitGiven ?? .test }
    @Flag(help: "Print JSON only.") var json = false
    @OptionGroup var threads: ThreadsOption
    @Option(help: "ComiRec's controllable aggregation: re-rank each user's merged top-50 with this λ (needs item categories); reports diversity@50.")
    var aggregationLambda: Double?
    @Option(help: "Also write every user's metrics to this CSV (user, split, each metric at each --at cut-off).") var perUser: String?
    @Option(help: "Cut-offs for --per-user, comma-separated.") var at: String = "20,50"

    var cutoffs: [Int] { at.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        guard (model == nil) != (checkpoint == nil) else { throw ValidationError("give the model once: as the argument or as --checkpoint") }
        if let l = aggregationLambda, !(l >= 0 && l.isFinite) { throw ValidationError("--aggregation-lambda must be ≥ 0, got \(l)") }
        guard !cutoffs.isEmpty, cutoffs.count == at.split(separator: ",").count, cutoffs.allSatisfy({ (1...10_000).contains($0) }) else {
            throw ValidationError("--at must list cut-offs between 1 and 10000, e.g. 10,20,50,100; got '\(at)'")
        }
    }

    func run() throws {
        let given = self.model ?? checkpoint!
        let input = try ModelInput.resolve(given)
        let r = try ModelArguments.open([given], labels: nil, data: data)
        // The data file is an input too: --per-user must not replace it.
        let dataFiles = r.source?.inputPaths ?? []
        let outputs = try OutputSet(outputs: perUser.map { [$0] } ?? [], inputs: input.inputFiles + dataFiles)
        let ds = r.dataset, model = r.models[0]
        guard ds.heldOut else { throw ValidationError("\(given): the data made from the bundle's histories holds no held-out items to evaluate on; give --data (the data the model was trained on)") }
        let users = ds.users(in: split)
        var m: [String: Double]
        if let lambda = aggregationLambda {
            guard ds.hasCategories else { throw TrainingError.badOption("\(ds.name) has no item categories; controllable aggregation needs them") }
            m = ControllableAggregation.evaluate(model: model, dataset: ds, users: users, lambda: lambda, threads: threads.count)
        } else {
            let bar = ProgressLine("evaluating \(users.count) users")
            m = Evaluator.evaluate(model: model, dataset: ds, users: users, threads: threads.count) { bar.update($0, of: users.count) }
            bar.finish()
        }
        if let perUser {
            let csv = Evaluator.perUserCSV(model: model, dataset: ds, users: users, cutoffs: cutoffs, threads: threads.count)
            try outputs.stage(perUser, data: Data(csv.utf8))
            try outputs.commit()
        }
        let names = RankingMetrics.names() + (m["diversity@50"] != nil ? ["diversity@50"] : [])
        let jsonText = "{" + (["\"split\":\"\(split.name)\"", "\"users\":\(users.count)", "\"ndcg\":\"standard; ndcg_comirec and ndcg_re4 as named\""]
            + names.map { "\"\($0)\":\(String(format: "%.6f", m[$0] ?? .nan))" }).joined(separator: ",") + "}"
        if json { print(jsonText); return }
        print("\(given) on \(ds.name) \(split.name) (\(users.count) users; \(model.config.encoder.rawValue), K = \(model.config.interests))")
        print("metric          @20      @50")
        for base in ["recall", "hitrate", "ndcg", "ndcg_comirec", "ndcg_re4"] {
            print(base.padding(toLength: 14, withPad: " ", startingAt: 0)
                  + String(format: "%.4f   %.4f", m["\(base)@20"] ?? .nan, m["\(base)@50"] ?? .nan))
        }
        if let dv = m["diversity@50"] { print(String(format: "diversity@50 %.4f (controllable aggregation, λ = %g)", dv, aggregationLambda ?? 0)) }
        print("(ndcg = standard IDCG; ndcg_comirec / ndcg_re4 = the ComiRec and Re4 scripts' conventions)")
        print(jsonText)
    }
}
