import ArgumentParser
import Foundation
import Re4Core

/// Model options shared by train (and read back by evaluate for plain exports).
struct ModelOptions: ParsableArguments {
    @Option(help: "Encoder: re4, comirec-sa or comirec-dr.") var encoder: String = "re4"
    @Option(name: [.customLong("interests"), .customShort("K")], help: "K, interests per user.") var interests: Int = 4
    @Option(help: "d, embedding size.") var dim: Int = 64
    @Option(help: "L, maximum history length.") var maxLength: Int = 20
    @Option(help: "H, attention hidden size (re4 encoder).") var hidden: Int = 256
    @Option(help: "Re-attend weight λ_att.") var lambdaAtt: Float = 0.001
    @Option(help: "Re-contrast weight λ_ct.") var lambdaCt: Float = 0.1
    @Option(help: "Re-construct weight λ_cs.") var lambdaCs: Float = 0.1
    @Option(help: "Re-contrast temperature τ.") var tau: Float = 0.02
    @Flag(help: "Base model: all three backward flows off.") var base = false

    func config() throws -> ModelConfig {
        var c = ModelConfig()
        guard let e = EncoderKind(rawValue: encoder) else {
            throw TrainingError.badOption("--encoder must be one of \(EncoderKind.allCases.map(\.rawValue).joined(separator: ", ")), got '\(encoder)'")
        }
        c.encoder = e
        for (name, v) in [("--interests", interests), ("--dim", dim), ("--max-length", maxLength), ("--hidden", hidden)] where v < 1 {
            throw TrainingError.badOption("\(name) must be ≥ 1, got \(v)")
        }
        c.interests = interests; c.dim = dim; c.maxLength = maxLength; c.hidden = hidden
        for (name, v) in [("--lambda-att", lambdaAtt), ("--lambda-ct", lambdaCt), ("--lambda-cs", lambdaCs)] where !(v >= 0 && v.isFinite) {
            throw TrainingError.badOption("\(name) must be a finite number ≥ 0, got \(v)")
        }
        guard tau > 0 else { throw TrainingError.badOption("--tau must be > 0, got \(tau)") }
        c.lambdaAtt = base ? 0 : lambdaAtt; c.lambdaCt = base ? 0 : lambdaCt; c.lambdaCs = base ? 0 : lambdaCs
        c.tau = tau
        return c
    }
}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a Base or Re4 model; keeps checkpoints and per-epoch logs.",
        discussion: """
            Writes into --out: last.safetensors, best.safetensors (best validation Recall@50),
            last.optim.safetensors (for --resume), log.jsonl, log.csv, items.tsv, config.json.

            Examples:
              re4 train --data ml-latest-small --epochs 5 --out runs/re4
              re4 train --data ml-latest-small --epochs 5 --base --out runs/base
              re4 train --data ml-1m --interests 8 --lambda-ct 0 --out runs/no-ct
              re4 train --data ml-1m --out runs/re4 --epochs 30 --resume
            """)

    @Option(help: "Data set name or path (see `re4 data stats --help`).") var data: String
    @Option(help: "Output folder.") var out: String
    @OptionGroup var model: ModelOptions
    @OptionGroup var load: DataLoadOptions
    @Option(help: "Epochs.") var epochs: Int = 20
    @Option(help: "Batch size.") var batchSize: Int = 1024
    @Option(help: "Adam learning rate.") var lr: Float = 0.003
    @Option(help: "Adam weight decay (added to the gradient, PyTorch semantics).") var weightDecay: Float = 1e-6
    @Option(help: "Seed for initialisation, shuffling and negatives.") var seed: UInt64 = 2022
    @Option(help: "Negatives per batch (uniform without replacement), or 'full'.") var negatives: String = "5000"
    @Option(help: "Sampler: uniform or log-uniform (needs --item-order popularity).") var sampler: String = "uniform"
    @Option(help: "Cap on training examples per epoch.") var samplesPerEpoch: Int?
    @Option(help: "Example order: epoch (every prefix once) or comirec (random user/cut pairs).") var sampling: String = "epoch"
    @Option(help: "Stop after this many epochs without a better validation Recall@50.") var patience: Int?
    @Flag(help: "Keep a checkpoint of every epoch (epoch-NNN.safetensors).") var keepEveryEpoch = false
    @Flag(help: "Row-wise lazy Adam for the embedding (large catalogues).") var lazyAdam = false
    @Flag(help: "Continue from the last completed epoch in --out.") var resume = false
    @Option(help: "Threads (default: all cores).") var threads: Int?

    func run() throws {
        if let threads { guard threads >= 1 else { throw TrainingError.badOption("--threads must be ≥ 1") }; Threads.set(threads) }
        else { Threads.set(Threads.count) }
        var o = TrainingOptions()
        o.epochs = epochs; o.batchSize = batchSize; o.learningRate = lr; o.weightDecay = weightDecay; o.seed = seed
        o.samplesPerEpoch = samplesPerEpoch; o.patience = patience; o.keepEveryEpoch = keepEveryEpoch; o.lazyAdam = lazyAdam
        guard let s = ExampleSampling(rawValue: sampling) else { throw TrainingError.badOption("--sampling must be epoch or comirec, got '\(sampling)'") }
        o.sampling = s
        if negatives == "full" { o.negatives = .full } else {
            guard let n = Int(negatives), n >= 1 else { throw TrainingError.badOption("--negatives must be a positive number or 'full', got '\(negatives)'") }
            switch sampler {
            case "uniform": o.negatives = .uniform(count: n)
            case "log-uniform": o.negatives = .logUniform(count: n)
            default: throw TrainingError.badOption("--sampler must be uniform or log-uniform, got '\(sampler)'")
            }
        }
        if let cap = samplesPerEpoch, cap < 1 { throw TrainingError.badOption("--samples-per-epoch must be ≥ 1") }
        if let p = patience, p < 1 { throw TrainingError.badOption("--patience must be ≥ 1") }
        let cfg = try model.config()
        // The run folder is created with its parents; the nearest existing one must be writable.
        var probe = URL(fileURLWithPath: out)
        while !FileManager.default.fileExists(atPath: probe.path) && probe.path != "/" { probe.deleteLastPathComponent() }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: probe.path, isDirectory: &isDir), isDir.boolValue,
              FileManager.default.isWritableFile(atPath: probe.path) else {
            throw IOError.unwritable(path: out, reason: "\(probe.path) is not a writable folder")
        }
        if !resume && FileManager.default.fileExists(atPath: out + "/last.optim.safetensors") {
            throw TrainingError.badOption("\(out) already holds a run; pass --resume to continue it or choose another --out")
        }
        let ds = try load.load(data)
        var trainer = try Trainer(dataset: ds, config: cfg, options: o, out: out)
        if resume { try trainer.resume() }
        // Ctrl-C / SIGTERM: finish the current batch, keep the last completed epoch.
        signal(SIGINT, SIG_IGN); signal(SIGTERM, SIG_IGN)
        let sources = [SIGINT, SIGTERM].map { sig -> DispatchSourceSignal in
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { StopRequest.requested = true }
            s.resume()
            return s
        }
        defer { sources.forEach { $0.cancel() } }
        let tty = isatty(2) == 1
        let mode = cfg.isBase ? "Base" : "Re4 (λ_att \(cfg.lambdaAtt), λ_ct \(cfg.lambdaCt), λ_cs \(cfg.lambdaCs))"
        eprint("training \(cfg.encoder.rawValue) \(mode) on \(ds.name): \(ds.itemCount) items, K = \(cfg.interests), d = \(cfg.dim), L = \(cfg.maxLength), \(Threads.count) threads")
        try trainer.run { event in
            switch event {
            case .batch(let e, let b, let n, let eps, let loss):
                if tty && (b % 5 == 0 || b == n) {
                    let width = 30, filled = width * b / n
                    eprint(String(format: "\repoch %d [%@%@] %d/%d  %.0f ex/s  loss %.4f",
                                  e, String(repeating: "#", count: filled), String(repeating: " ", count: width - filled),
                                  b, n, eps, loss), newline: false)
                }
            case .epoch(let r, let best):
                if tty { eprint("\r", newline: false) }
                print(String(format: "epoch %3d  %6.1fs  %7.0f ex/s  loss %.4f (rec %.4f att %.4f ct %.4f cs %.4f)  valid R@50 %.4f  test R@50 %.4f HR@50 %.4f NDCG@50 %.4f%@",
                             r.epoch, r.seconds, r.examplesPerSecond, r.loss.total, r.loss.rec, r.loss.att, r.loss.ct, r.loss.cs,
                             r.valid["recall@50"] ?? .nan, r.test["recall@50"] ?? .nan, r.test["hitrate@50"] ?? .nan,
                             r.test["ndcg@50"] ?? .nan, best ? "  *best" : ""))
                fflush(stdout)
            }
        }
        print("best epoch \(trainer.bestEpoch) (validation recall@50 \(String(format: "%.4f", trainer.bestValid))); checkpoints in \(out)")
    }
}

func eprint(_ s: String, newline: Bool = true) {
    FileHandle.standardError.write(Data((s + (newline ? "\n" : "")).utf8))
}
