import ArgumentParser
import Foundation
import Re4Core

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a checkpoint on a split: Recall, NDCG (three conventions) and HitRate @20/@50.",
        discussion: """
            Accepts checkpoints written by `re4 train` and plain safetensors exports of the authors'
            PyTorch module (state_dict names, no metadata). The full item gallery is ranked exactly.

            Examples:
              re4 evaluate --checkpoint runs/re4/best.safetensors --data ml-latest-small
              re4 evaluate --checkpoint torch.safetensors --data ml-1m --split valid --json
            """)
    @Option(help: "Checkpoint (.safetensors).") var checkpoint: String
    @Option(help: "Data set name or path.") var data: String
    @OptionGroup var load: DataLoadOptions
    @Option(help: "Split: test, valid or train.") var split: String = "test"
    @Flag(help: "Print JSON only.") var json = false
    @Flag(help: "Evaluate even if the checkpoint was trained on other data.") var allowMismatch = false
    @Option(help: "Threads (default: all cores).") var threads: Int?
    @Option(help: "ComiRec's controllable aggregation: re-rank each user's merged top-50 with this λ (needs item categories); reports diversity@50.")
    var aggregationLambda: Double?

    func run() throws {
        if let threads { Threads.set(max(1, threads)) } else { Threads.set(Threads.count) }
        guard let part = SplitPart.allCases.first(where: { $0.name == split }) else {
            throw TrainingError.badOption("--split must be test, valid or train, got '\(split)'")
        }
        let ds = try load.load(data)
        let (model, prov) = try Checkpoint.load(path: checkpoint)
        if !prov.datasetFingerprint.isEmpty && prov.datasetFingerprint != ds.fingerprint && !allowMismatch {
            throw CheckpointError.datasetMismatch(file: checkpoint, checkpoint: prov.datasetFingerprint, data: ds.fingerprint, dataName: ds.name)
        }
        guard model.config.items == ds.itemCount else {
            throw CheckpointError.inconsistent(file: checkpoint, what: "the embedding has \(model.config.items) items but \(ds.name) has \(ds.itemCount)")
        }
        let users = ds.users(in: part)
        var m: [String: Double]
        if let lambda = aggregationLambda {
            guard lambda >= 0, lambda.isFinite else { throw TrainingError.badOption("--aggregation-lambda must be ≥ 0") }
            guard ds.hasCategories else { throw TrainingError.badOption("\(ds.name) has no item categories; controllable aggregation needs them") }
            m = ControllableAggregation.evaluate(model: model, dataset: ds, users: users, lambda: lambda)
        } else {
            m = Evaluator.evaluate(model: model, dataset: ds, users: users)
        }
        let names = RankingMetrics.names() + (m["diversity@50"] != nil ? ["diversity@50"] : [])
        let jsonText = "{" + (["\"split\":\"\(split)\"", "\"users\":\(users.count)", "\"ndcg\":\"standard; ndcg_comirec and ndcg_re4 as named\""]
            + names.map { "\"\($0)\":\(String(format: "%.6f", m[$0] ?? .nan))" }).joined(separator: ",") + "}"
        if json { print(jsonText); return }
        print("\(checkpoint) on \(ds.name) \(split) (\(users.count) users; \(model.config.encoder.rawValue), K = \(model.config.interests))")
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

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export item embeddings and per-user interests/attention of a split to .npy (+ CSV index).",
        discussion: """
            Writes into --out: items.npy ((n+1)×d, row 0 = padding), interests_U.npy and
            interests_Z.npy (users×K×d), attention.npy (users×K×L), users.csv (row, user id, split).

            Example:
              re4 export --checkpoint runs/re4/best.safetensors --data ml-latest-small --out exports/re4
            """)
    @Option(help: "Checkpoint (.safetensors).") var checkpoint: String
    @Option(help: "Data set name or path.") var data: String
    @OptionGroup var load: DataLoadOptions
    @Option(help: "Split whose users are exported.") var split: String = "test"
    @Option(help: "Output folder (created if missing).") var out: String

    func run() throws {
        guard let part = SplitPart.allCases.first(where: { $0.name == split }) else {
            throw TrainingError.badOption("--split must be test, valid or train, got '\(split)'")
        }
        let ds = try load.load(data)
        let (model, _) = try Checkpoint.load(path: checkpoint)
        guard model.config.items == ds.itemCount else {
            throw CheckpointError.inconsistent(file: checkpoint, what: "the embedding has \(model.config.items) items but \(ds.name) has \(ds.itemCount)")
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let c = model.config
        let users = ds.users(in: part)
        let r = Evaluator.interests(model: model, dataset: ds, users: users, keepZA: true)
        try Npy.write(Tensor(shape: [c.items + 1, c.dim], values: model.params.values(MultiInterestModel.embeddingName)), path: out + "/items.npy")
        try Npy.write(Tensor(shape: [users.count, c.interests, c.dim], values: r.U.array), path: out + "/interests_U.npy")
        try Npy.write(Tensor(shape: [users.count, c.interests, c.dim], values: r.Z!.array), path: out + "/interests_Z.npy")
        try Npy.write(Tensor(shape: [users.count, c.interests, c.maxLength], values: r.A!.array), path: out + "/attention.npy")
        try AtomicFile.write("row,user,split\n" + users.enumerated().map { "\($0.offset),\(ds.userIDs[$0.element]),\(split)\n" }.joined(),
                             to: out + "/users.csv")
        print("exported \(users.count) \(split) users and \(c.items) items to \(out)")
    }
}
