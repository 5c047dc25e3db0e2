import ArgumentParser
import Foundation
import Re4CLI
import Re4Core

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a Base or Re4 model; keeps checkpoints and per-epoch logs.",
        discussion: """
            Writes a run folder --out: config.json, log.jsonl, log.csv, last.safetensors, best.safetensors \
            (best validation Recall@50), last.optim.safetensors (for --resume), items.tsv. --resume \
            continues the run; it refuses any change of a setting that alters the model or the data, and \
            allows --epochs, --patience, --threads and --keep-every-epoch to change.

            Examples:
              re4 train --data ml-latest-small --epochs 5 --out runs/re4
              re4 train --data ml-latest-small --epochs 5 --base --out runs/base
              re4 train --data ml-1m --interests 8 --lambda-ct 0 --out runs/no-ct
              re4 train --data ml-1m --out runs/re4 --epochs 30 --resume
            """)

    @Option(help: "Data set name or path (see `re4 data stats --help`).") var data: String
    @Option(help: "Output folder (the run folder).") var out: String
    @OptionGroup var model: ModelOptions
    @OptionGroup var reading: DataReadingOptions
    @Option(help: "Epochs.") var epochs: Int = 20
    @Option(help: "Batch size.") var batchSize: Int = 1024
    @Option(help: "Adam learning rate.") var lr: Float = 0.003
    @Option(help: "Adam weight decay (added to the gradient, PyTorch semantics).") var weightDecay: Float = 1e-6
    @Option(help: "Seed for initialisation, shuffling and negatives.") var seed: UInt64 = 2022
    @Option(help: "Negatives per batch (drawn without replacement; default 5000, or all items if fewer), or 'full'.") var negatives: String?
    @Option(help: "Sampler: uniform or log-uniform (needs --item-order popularity).") var sampler: SampledSoftmax.Sampler = .uniform
    @Option(help: "Cap on training examples per epoch.") var samplesPerEpoch: Int?
    @Option(help: "Example order: epoch (every prefix once) or comirec (random user/cut pairs).") var sampling: ExampleSampling = .epoch
    @Option(help: "Stop after this many epochs without a better validation Recall@50.") var patience: Int?
    @Flag(help: "Keep a checkpoint of every epoch (epoch-NNN.safetensors).") var keepEveryEpoch = false
    @Flag(help: "After each epoch, write every valid and test user's metrics to per-user/epoch-NNN.csv (for re4-viz compare).") var perUserLog = false
    @Flag(help: "After each epoch, log interest-collapse statistics (dist_cos_U, dist_cos_U_slot, attention entropy and top share, dead-interest share, REMI's routing penalty) on a fixed sample of up to 1,000 validation users.") var logDistinctness = false
    @Flag(help: "Row-wise lazy Adam for the embedding (large catalogues).") var lazyAdam = false
    @Option(help: "Standard deviation of the item embedding's normal initialisation (default 1, the authors' script).") var embeddingStd: Float?
    @Flag(help: "Continue from the last completed epoch in --out.") var resume = false
    @Flag(help: "Start over in an --out that holds a run: the old run's files are moved to OUT.replaced-N first, never deleted.") var replace = false
    @OptionGroup var threads: ThreadsOption

    func validate() throws {
        guard !(resume && replace) else { throw ValidationError("--resume continues the run in --out and --replace starts over; give one of them") }
        try validating {
            _ = try SampledSoftmax.mode(negatives: negatives ?? "\(SampledSoftmax.defaultNegatives)", sampler: sampler)
            try Limits.check(options)
        }
    }

    var options: TrainingOptions {
        var o = TrainingOptions()
        o.epochs = epochs; o.batchSize = batchSize; o.learningRate = lr; o.weightDecay = weightDecay; o.seed = seed
        o.samplesPerEpoch = samplesPerEpoch; o.patience = patience; o.keepEveryEpoch = keepEveryEpoch; o.perUserLog = perUserLog; o.lazyAdam = lazyAdam; o.embeddingStd = embeddingStd
        o.logDistinctness = logDistinctness
        o.sampling = sampling; o.threads = threads.count
        o.negatives = (try? SampledSoftmax.mode(negatives: negatives ?? "\(SampledSoftmax.defaultNegatives)", sampler: sampler)) ?? o.negatives
        o.negativesGiven = negatives != nil
        return o
    }

    func run() throws {
        let cfg = model.config
        let bar = TrainingProgress()
        let trainer = try TrainingRun.run(source: reading.source(data), model: cfg, options: options, out: out, resume: resume, replace: replace,
                                          started: { t in
            if t.isComplete { return }
            var mode = cfg.isBase ? "Base" : "Re4 (λ_att \(cfg.lambdaAtt), λ_ct \(cfg.lambdaCt), λ_cs \(cfg.lambdaCs))"
            if cfg.usesREMI { mode += " + REMI (rlambda \(cfg.rlambda ?? 0), rbeta \(cfg.rbeta ?? 0))" }
            printError("training \(cfg.encoder.rawValue) \(mode) on \(t.dataset.name): \(t.dataset.itemCount) items, K = \(cfg.interests), d = \(cfg.dim), L = \(cfg.maxLength), threads: \(t.options.threads)")
        }, replaced: { printError("moved the run that was in \(out) to \($0)") }, progress: bar.show)
        if trainer.epochsTrained == 0 {
            print("\(out): nothing left to train (\(trainer.records.count) epochs done); best epoch \(trainer.bestEpoch)")
            return
        }
        print("best epoch \(trainer.bestEpoch) (validation recall@50 \(String(format: "%.4f", trainer.bestValid))); checkpoints in \(out)")
    }
}
