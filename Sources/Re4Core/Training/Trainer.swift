import Foundation

/// How training examples are drawn.
public enum ExampleSampling: String, Sendable, CaseIterable {
    /// Every (training user, position) prefix once per epoch, in a seeded
    /// shuffled order (SPEC §1 default).
    case epoch
    /// ComiRec's scheme: each step draws random (user, cut) pairs with replacement.
    case comirec
}

public struct TrainingOptions: Sendable {
    public var epochs = 20
    public var batchSize = 1024
    public var learningRate: Float = 0.003
    public var weightDecay: Float = 1e-6
    public var seed: UInt64 = 2022
    public var negatives: SampledSoftmax.Mode = .uniform(count: SampledSoftmax.defaultNegatives)
    /// Cap on training examples per epoch (nil = all of them).
    public var samplesPerEpoch: Int? = nil
    /// Stop after this many epochs without a better validation Recall@50 (nil = never).
    public var patience: Int? = nil
    /// Also keep `epoch-NNN.safetensors` for every epoch.
    public var keepEveryEpoch = false
    public var lazyAdam = false
    public var sampling: ExampleSampling = .epoch
    public init() {}
}

/// What the trainer reports while it runs.
public enum TrainingEvent: Sendable {
    case batch(epoch: Int, batch: Int, of: Int, examplesPerSecond: Double, loss: Double)
    case epoch(EpochRecord, isBest: Bool)
}

public enum TrainingError: LocalizedError, Equatable {
    case nonFinite(component: String, epoch: Int, batch: Int, lastGood: String)
    case noTrainingExamples(data: String)
    case badOption(String)
    case interrupted(completedEpoch: Int, folder: String)
    case noSpace(folder: String, needed: UInt64, free: UInt64)

    public var errorDescription: String? {
        switch self {
        case .interrupted(let e, let f):
            return e > 0
                ? "interrupted; epoch \(e) is the last completed one and is saved in \(f). Continue with the same command plus --resume"
                : "interrupted during the first epoch; nothing was saved yet"
        case .nonFinite(let c, let e, let b, let g):
            return "\(c) became NaN or infinite at epoch \(e), batch \(b); training stopped, the last good checkpoint is \(g). Try a lower --lr"
        case .noTrainingExamples(let d):
            return "\(d): no training user has two or more interactions; nothing to train on"
        case .badOption(let m):
            return m
        case .noSpace(let f, let n, let free):
            return String(format: "not enough free space in %@: one epoch's checkpoints need about %.1f MB, %.1f MB are free; free some space or choose another --out",
                          f, Double(n) / 1e6, Double(free) / 1e6)
        }
    }
}

/// Trains one model and writes, under `out`:
/// `last.safetensors`, `best.safetensors` (best validation Recall@50),
/// `last.optim.safetensors` (everything needed to resume), optionally
/// `epoch-NNN.safetensors`, `log.jsonl`, `log.csv`, `items.tsv`, `config.json`.
/// Set from a signal handler (SIGINT/SIGTERM): training stops after the
/// current batch, keeping the files of the last completed epoch.
public enum StopRequest {
    nonisolated(unsafe) public static var requested = false
}

public struct Trainer {
    public var dataset: Dataset
    public var options: TrainingOptions
    public var out: String
    public private(set) var model: MultiInterestModel
    public private(set) var adam: Adam
    public private(set) var records: [EpochRecord] = []
    public private(set) var bestEpoch = 0
    public private(set) var bestValid = -1.0
    private var badEpochs = 0
    private var startEpoch = 1

    public static let selectionMetric = "recall@50"

    public init(dataset: Dataset, config: ModelConfig, options: TrainingOptions, out: String) throws {
        var c = config
        c.items = dataset.itemCount
        guard options.batchSize >= 1 else { throw TrainingError.badOption("--batch-size must be ≥ 1, got \(options.batchSize)") }
        guard options.epochs >= 1 else { throw TrainingError.badOption("--epochs must be ≥ 1, got \(options.epochs)") }
        guard c.interests >= 1, c.dim >= 1, c.maxLength >= 1, c.hidden >= 1 else {
            throw TrainingError.badOption("K, d, L and H must all be ≥ 1")
        }
        guard options.learningRate > 0, options.learningRate.isFinite else { throw TrainingError.badOption("--lr must be a positive number") }
        self.dataset = dataset; self.options = options; self.out = out
        model = MultiInterestModel.initial(config: c, seed: options.seed)
        adam = Adam(for: model.params)
        configureAdam()
    }

    private mutating func configureAdam() {
        adam.lr = options.learningRate; adam.weightDecay = options.weightDecay; adam.lazyEmbedding = options.lazyAdam
    }

    var provenance: Checkpoint.Provenance {
        var p = Checkpoint.Provenance()
        p.seed = options.seed; p.datasetName = dataset.name; p.datasetFingerprint = dataset.fingerprint
        p.itemMap = "items.tsv"
        return p
    }

    var resumePath: String { out + "/last.optim.safetensors" }

    /// Restores the state saved after the last completed epoch.
    public mutating func resume() throws {
        guard FileManager.default.fileExists(atPath: resumePath) else { throw CheckpointError.resumeMissing(folder: out) }
        let st = try SafeTensors.read(path: resumePath)
        var params = ParameterSet(), m = ParameterSet(), v = ParameterSet()
        for name in model.params.names {
            let i = model.params.index(of: name)!
            for (prefix, set) in [("param/", 0), ("adam_m/", 1), ("adam_v/", 2)] {
                let t = try st.tensor(prefix + name, source: resumePath)
                guard t.shape == model.params.shapes[i] else {
                    throw SafeTensorsError.wrongShape(file: resumePath, tensor: prefix + name, expected: model.params.shapes[i], found: t.shape)
                }
                switch set { case 0: params.add(name, shape: t.shape, values: t.values)
                case 1: m.add(name, shape: t.shape, values: t.values)
                default: v.add(name, shape: t.shape, values: t.values) }
            }
        }
        let meta = st.metadata
        if let fp = meta["dataset_fingerprint"], fp != dataset.fingerprint {
            throw CheckpointError.datasetMismatch(file: resumePath, checkpoint: fp, data: dataset.fingerprint, dataName: dataset.name)
        }
        guard let epoch = Int(meta["epoch"] ?? ""), let step = Int(meta["step"] ?? "") else {
            throw CheckpointError.badMetadata(file: resumePath, key: "epoch", value: meta["epoch"] ?? "")
        }
        model.params = params
        adam = Adam(m: m, v: v, step: step)
        configureAdam()
        bestEpoch = Int(meta["best_epoch"] ?? "0") ?? 0
        bestValid = Double(meta["best_valid"] ?? "-1") ?? -1
        badEpochs = Int(meta["bad_epochs"] ?? "0") ?? 0
        startEpoch = epoch + 1
        let logPath = out + "/log.jsonl"
        records = FileManager.default.fileExists(atPath: logPath) ? try EpochLog.read(jsonl: logPath).filter { $0.epoch <= epoch } : []
    }

    /// Runs the remaining epochs. Throws on a non-finite loss (the last completed
    /// epoch's files stay as they were).
    public mutating func run(progress: (TrainingEvent) -> Void = { _ in }) throws {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try checkFreeSpace()
        try writeRunFiles()
        let examples = dataset.trainingExamples()
        guard !examples.isEmpty else { throw TrainingError.noTrainingExamples(data: dataset.name) }
        let trainUsers = dataset.users(in: .train).filter { dataset.sequences[$0].count >= 2 }
        let L = model.config.maxLength, B = options.batchSize
        let softmax = SampledSoftmax(mode: options.negatives)
        var grads = model.params.zeros()
        var scratch = [Int32](repeating: -1, count: dataset.itemCount + 1)
        let eIndex = model.params.index(of: MultiInterestModel.embeddingName)!
        let d = model.config.dim
        if startEpoch > options.epochs { return }
        for epoch in startEpoch...options.epochs {
            let t0 = Date()
            var rng = SeededRandom(seed: options.seed, stream: "epoch-\(epoch)")
            var order: [TrainingExample]
            switch options.sampling {
            case .epoch:
                order = examples
                rng.shuffle(&order)
                if let cap = options.samplesPerEpoch { order = Array(order.prefix(cap)) }
            case .comirec:
                let count = options.samplesPerEpoch ?? examples.count
                order = (0..<count).map { _ in
                    let u = trainUsers[rng.below(trainUsers.count)]
                    return TrainingExample(user: Int32(u), position: Int32(1 + rng.below(dataset.sequences[u].count - 1)))
                }
            }
            let nBatches = (order.count + B - 1) / B
            var sum = LossBreakdown()
            var seen = 0
            for bi in 0..<nBatches {
                let lo = bi * B, hi = min(order.count, lo + B), nb = hi - lo
                var items = [Int32](repeating: 0, count: nb * L)
                var targets = [Int32](repeating: 0, count: nb)
                items.withUnsafeMutableBufferPointer { p in
                    for i in 0..<nb {
                        let ex = order[lo + i]
                        _ = dataset.history(user: Int(ex.user), cut: Int(ex.position), length: L, into: p.baseAddress! + i * L)
                        targets[i] = dataset.sequences[Int(ex.user)][Int(ex.position)]
                    }
                }
                let batch = model.batch(items: items, B: nb, targets: targets, scratch: &scratch)
                let cand = softmax.candidates(targets: targets, items: dataset.itemCount, rng: &rng)
                let l = model.lossAndGradients(batch, candidates: cand, softmax: softmax, grads: &grads)
                if let bad = l.nonFiniteComponent ?? (l.total.isFinite ? nil : "loss") {
                    throw TrainingError.nonFinite(component: bad, epoch: epoch, batch: bi + 1,
                                                  lastGood: epoch > 1 ? out + "/last.safetensors" : "(none: it failed in the first epoch)")
                }
                var touched: [Int32] = []
                if options.lazyAdam { touched = batch.unique + targets + cand }
                adam.update(model.params, grads, embedding: MultiInterestModel.embeddingName, touchedRows: touched)
                if options.lazyAdam {
                    for i in grads.names.indices where i != eIndex { grads.buffers[i].zero() }
                    let g = grads.buffers[eIndex].p
                    for r in touched { (g + Int(r) * d).update(repeating: 0, count: d) }
                } else {
                    grads.zeroAll()
                }
                let w = Double(nb)
                sum.rec += l.rec * w; sum.att += l.att * w; sum.ct += l.ct * w; sum.cs += l.cs * w; sum.total += l.total * w
                seen += nb
                if StopRequest.requested {
                    throw TrainingError.interrupted(completedEpoch: epoch - 1, folder: out)
                }
                progress(.batch(epoch: epoch, batch: bi + 1, of: nBatches,
                                examplesPerSecond: Double(seen) / max(Date().timeIntervalSince(t0), 1e-9), loss: sum.total / Double(seen)))
            }
            let trainSeconds = Date().timeIntervalSince(t0)
            var mean = LossBreakdown()
            let n = Double(max(seen, 1))
            mean.rec = sum.rec / n; mean.att = sum.att / n; mean.ct = sum.ct / n; mean.cs = sum.cs / n; mean.total = sum.total / n
            let valid = Evaluator.evaluate(model: model, dataset: dataset, part: .valid)
            let test = Evaluator.evaluate(model: model, dataset: dataset, part: .test)
            let record = EpochRecord(epoch: epoch, seconds: Date().timeIntervalSince(t0),
                                     examplesPerSecond: Double(seen) / max(trainSeconds, 1e-9), loss: mean, valid: valid, test: test)
            records.append(record)
            let score = valid[Self.selectionMetric] ?? test[Self.selectionMetric] ?? 0
            let isBest = score > bestValid
            if isBest { bestValid = score; bestEpoch = epoch; badEpochs = 0 } else { badEpochs += 1 }
            try saveEpoch(epoch, isBest: isBest)
            progress(.epoch(record, isBest: isBest))
            if let p = options.patience, badEpochs >= p { break }
        }
    }

    /// Bytes one epoch writes that are not already on disk, at most: in a new
    /// folder best + last + the resume state (three copies of the parameters) +
    /// the optional per-epoch copy; when resuming, room for the largest
    /// temporary file (the resume state) + the per-epoch copy. A folder that
    /// cannot hold that fails now, before any training, rather than at the
    /// first save.
    func bytesNeededPerEpoch(resuming: Bool) -> UInt64 {
        let p = UInt64(model.params.buffers.reduce(0) { $0 + $1.count } * 4 + 64 * 1024)
        let keep: UInt64 = options.keepEveryEpoch ? 1 : 0
        return resuming ? (3 + keep) * p : (5 + keep) * p
    }

    private func checkFreeSpace() throws {
        var st = statvfs()
        guard statvfs(out, &st) == 0 else { return }
        let free = UInt64(st.f_bavail) * UInt64(st.f_frsize)
        let need = bytesNeededPerEpoch(resuming: startEpoch > 1)
        if free < need { throw TrainingError.noSpace(folder: out, needed: need, free: free) }
    }

    /// Writes this epoch's files: best (if it is), last, the resume state, the
    /// optional per-epoch copy, then the logs. Each file is written atomically,
    /// and the resume state last among the checkpoints, so a crash leaves a
    /// consistent earlier state to resume from.
    private func saveEpoch(_ epoch: Int, isBest: Bool) throws {
        var p = provenance
        p.epoch = epoch
        let model = self.model
        if isBest { try Checkpoint.save(model, provenance: p, path: out + "/best.safetensors") }
        if options.keepEveryEpoch {
            try Checkpoint.save(model, provenance: p, path: out + String(format: "/epoch-%03d.safetensors", epoch))
        }
        try Checkpoint.save(model, provenance: p, path: out + "/last.safetensors")
        var meta = Checkpoint.metadata(model.config, p)
        meta["step"] = "\(adam.step)"; meta["best_epoch"] = "\(bestEpoch)"
        meta["best_valid"] = "\(bestValid)"; meta["bad_epochs"] = "\(badEpochs)"
        var tensors: [String: Tensor] = [:]
        for (i, name) in model.params.names.enumerated() {
            let shape = model.params.shapes[i]
            tensors["param/" + name] = Tensor(shape: shape, values: model.params.buffers[i].array)
            tensors["adam_m/" + name] = Tensor(shape: shape, values: adam.m.buffers[i].array)
            tensors["adam_v/" + name] = Tensor(shape: shape, values: adam.v.buffers[i].array)
        }
        try SafeTensors(metadata: meta, tensors: tensors).write(path: resumePath)
        try EpochLog.write(records, jsonl: out + "/log.jsonl", csv: out + "/log.csv")
    }

    private func writeRunFiles() throws {
        var lines = "id\traw_id\ttitle\n"
        for i in 1...max(dataset.itemCount, 1) where i <= dataset.itemCount {
            lines += "\(i)\t\(dataset.itemIDs[i - 1])\t\(dataset.itemTitles.indices.contains(i) ? dataset.itemTitles[i] : "")\n"
        }
        try AtomicFile.write(lines, to: out + "/items.tsv")
        let c = model.config
        var cfg = c.metadata
        cfg["epochs"] = "\(options.epochs)"; cfg["batch_size"] = "\(options.batchSize)"; cfg["lr"] = "\(options.learningRate)"
        cfg["weight_decay"] = "\(options.weightDecay)"; cfg["seed"] = "\(options.seed)"; cfg["negatives"] = "\(options.negatives)"
        cfg["sampling"] = options.sampling.rawValue; cfg["lazy_adam"] = "\(options.lazyAdam)"
        cfg["dataset"] = dataset.name; cfg["dataset_fingerprint"] = dataset.fingerprint
        cfg["selection"] = "best validation \(Self.selectionMetric)"
        let json = "{\n" + cfg.keys.sorted().map { "  \(jsonString($0)): \(jsonString(cfg[$0]!))" }.joined(separator: ",\n") + "\n}\n"
        try AtomicFile.write(json, to: out + "/config.json")
    }
}
