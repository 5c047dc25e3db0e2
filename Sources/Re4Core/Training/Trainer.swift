import Foundation

/// Trains one model into a run folder (`RunFolder`): checkpoints, the resume
/// state, the logs, the item map and `config.json`, epoch by epoch.
public struct Trainer {
    public var dataset: Dataset
    /// Where the data came from and how it was read (recorded in the config).
    public var source: DataSource
    public var options: TrainingOptions
    public var out: String
    public var folder: RunFolder { RunFolder(out) }
    public internal(set) var model: MultiInterestModel
    public internal(set) var adam: Adam
    public internal(set) var records: [EpochRecord] = []
    public internal(set) var bestEpoch = 0
    public internal(set) var bestValid = -1.0
    /// Epochs completed by this trainer's `run` (0 when a resumed run had nothing left).
    public internal(set) var epochsTrained = 0
    var badEpochs = 0
    var startEpoch = 1
    /// Sessions recorded in the config of the run being resumed.
    var previousSessions: [RunConfig.Session] = []
    /// Called after each step of an epoch's commit; tests throw from it to stand
    /// for a process killed at that point.
    var afterCommitStep: ((CommitStep, Int) throws -> Void)? = nil
    /// Test hook: zero the whole gradient after every step instead of the rows it touched.
    var zeroWholeGradient = false

    /// The steps of `saveEpoch`, in order. `resumeState` is the commit point.
    enum CommitStep: CaseIterable { case best, epochCopy, last, log, resumeState }

    public init(dataset: Dataset, source: DataSource, config: ModelConfig, options: TrainingOptions, out: String) throws {
        var c = config
        c.items = dataset.itemCount
        try Limits.check(c, options, items: dataset.itemCount, negativesGiven: options.negativesGiven)
        self.dataset = dataset; self.source = source; self.options = options; self.out = out
        model = MultiInterestModel.initial(config: c, seed: options.seed, embeddingStd: options.embeddingStd ?? 1)
        adam = Adam(for: model.params)
        configureAdam()
    }

    mutating func configureAdam() {
        adam.lr = options.learningRate; adam.weightDecay = options.weightDecay; adam.lazyEmbedding = options.lazyAdam
    }

    var provenance: Checkpoint.Provenance {
        var p = Checkpoint.Provenance()
        p.seed = options.seed; p.datasetName = dataset.name; p.datasetFingerprint = dataset.fingerprint
        p.itemMap = RunFolder.itemMapName
        return p
    }

    /// The config this trainer writes: its settings, its data, the sessions so
    /// far and this one.
    public var runConfig: RunConfig {
        var c = RunConfig(model: model.config, training: options.settings, data: source, dataset: .init(dataset))
        c.sessions = previousSessions + [RunConfig.Session(firstEpoch: startEpoch, epochs: options.epochs, patience: options.patience,
                                                           threads: options.threads, keepEveryEpoch: options.keepEveryEpoch)]
        return c
    }

    /// Runs the remaining epochs. Throws on a non-finite loss (the last completed
    /// epoch's files stay as they were).
    public mutating func run(progress: (TrainingEvent) -> Void = { _ in }) throws {
        if isComplete { return }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try checkFreeSpace()
        try writeRunFiles()
        try Threads.run(options.threads) { try trainEpochs(progress: progress) }
    }

    private mutating func trainEpochs(progress: (TrainingEvent) -> Void) throws {
        let examples = dataset.trainingExamples()
        guard !examples.isEmpty else { throw TrainingError.noTrainingExamples(data: dataset.name) }
        let trainUsers = dataset.users(in: .train).filter { dataset.sequences[$0].count >= 2 }
        let L = model.config.maxLength, B = options.batchSize
        let softmax = SampledSoftmax(mode: options.negatives)
        var grads = model.params.zeros()
        var scratch = [Int32](repeating: -1, count: dataset.itemCount + 1)
        let eIndex = model.params.index(of: MultiInterestModel.embeddingName)!
        let d = model.config.dim
        let distinctnessUsers = options.logDistinctness ? EpochDistinctness.sample(dataset, seed: options.seed) : []
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
                                                  lastGood: epoch > 1 ? folder.last : "(none: it failed in the first epoch)")
                }
                // The rows of the embedding the step wrote a gradient to: the batch's
                // items, its targets and the negatives. Only they need zeroing after
                // the update; on a large gallery that is a small part of the table.
                let touchedCount = batch.unique.count + targets.count + cand.count
                let rowWise = options.lazyAdam || (2 * touchedCount < dataset.itemCount && !zeroWholeGradient)
                let touched: [Int32] = rowWise ? batch.unique + targets + cand : []
                adam.update(model.params, grads, embedding: MultiInterestModel.embeddingName, touchedRows: options.lazyAdam ? touched : [])
                if !touched.isEmpty {
                    for i in grads.names.indices where i != eIndex { grads.buffers[i].zero() }
                    let g = grads.buffers[eIndex].p
                    for r in touched { (g + Int(r) * d).update(repeating: 0, count: d) }
                } else {
                    grads.zeroAll()
                }
                let w = Double(nb)
                sum.rec += l.rec * w; sum.att += l.att * w; sum.ct += l.ct * w; sum.cs += l.cs * w; sum.rr += l.rr * w; sum.total += l.total * w
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
            mean.rec = sum.rec / n; mean.att = sum.att / n; mean.ct = sum.ct / n; mean.cs = sum.cs / n; mean.rr = sum.rr / n; mean.total = sum.total / n
            let validUsers = dataset.users(in: .valid), testUsers = dataset.users(in: .test)
            let nValid = validUsers.count, nEval = nValid + testUsers.count
            progress(.evaluating(epoch: epoch, done: 0, of: nEval))
            let (valid, validRows) = Evaluator.evaluateKeepingUsers(model: model, dataset: dataset, users: validUsers, threads: options.threads) {
                progress(.evaluating(epoch: epoch, done: $0, of: nEval))
            }
            let (test, testRows) = Evaluator.evaluateKeepingUsers(model: model, dataset: dataset, users: testUsers, threads: options.threads) {
                progress(.evaluating(epoch: epoch, done: nValid + $0, of: nEval))
            }
            if options.perUserLog {
                try FileManager.default.createDirectory(atPath: folder.perUserFolder, withIntermediateDirectories: true)
                // Written before the epoch's commit: a kill before it leaves a file that `--resume` rewrites.
                try AtomicFile.write(Evaluator.perUserCSV(dataset: dataset, users: validUsers + testUsers, rows: validRows + testRows),
                                     to: folder.perUserLog(epoch))
            }
            var extra: [String: Double] = [:]
            if model.config.rlambda != nil { extra["loss_rr"] = mean.rr }
            if options.logDistinctness {
                let d0 = Date()
                extra.merge(EpochDistinctness.measure(model: model, dataset: dataset, users: distinctnessUsers, threads: options.threads)) { $1 }
                // Its cost, against the epoch's `seconds` (docs/figures.md §distinctness by epoch).
                extra["dist_seconds"] = Date().timeIntervalSince(d0)
            }
            var record = EpochRecord(epoch: epoch, seconds: Date().timeIntervalSince(t0),
                                     examplesPerSecond: Double(seen) / max(trainSeconds, 1e-9), loss: mean, valid: valid, test: test)
            record.extra = extra
            records.append(record)
            let score = BestEpoch.score(record)
            let isBest = BestEpoch.improves(score, on: bestValid)
            if isBest { bestValid = score; bestEpoch = epoch; badEpochs = 0 } else { badEpochs += 1 }
            try saveEpoch(epoch, isBest: isBest)
            epochsTrained += 1
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
        // A per-user row: the id and ten metrics at six decimals, under 160 bytes.
        let perUser = options.perUserLog ? UInt64(dataset.userIDs.count) * 160 : 0
        return (resuming ? (3 + keep) * p : (5 + keep) * p) + perUser
    }

    private func checkFreeSpace() throws {
        var st = statvfs()
        guard statvfs(out, &st) == 0 else { return }
        let free = UInt64(st.f_bavail) * UInt64(st.f_frsize)
        let need = bytesNeededPerEpoch(resuming: startEpoch > 1)
        if free < need { throw TrainingError.noSpace(folder: out, needed: need, free: free) }
    }

    /// Publishes this epoch: best (if it is), the per-epoch copy, last, the
    /// logs, and the resume state last of all. Each file is written whole to a
    /// temporary name, flushed and renamed. The resume state is the commit
    /// point: a kill before its rename leaves the previous epoch committed, and
    /// `--resume` trains this epoch again (same seed, same bytes) and rewrites
    /// every file above; a kill after it leaves this epoch whole.
    private func saveEpoch(_ epoch: Int, isBest: Bool) throws {
        var p = provenance
        p.epoch = epoch
        let model = self.model
        if isBest { try Checkpoint.save(model, provenance: p, path: folder.best) }
        try afterCommitStep?(.best, epoch)
        if options.keepEveryEpoch { try Checkpoint.save(model, provenance: p, path: folder.epochCheckpoint(epoch)) }
        try afterCommitStep?(.epochCopy, epoch)
        try Checkpoint.save(model, provenance: p, path: folder.last)
        try afterCommitStep?(.last, epoch)
        try EpochLog.write(records, jsonl: folder.logJSONL, csv: folder.logCSV)
        try afterCommitStep?(.log, epoch)
        do { try writeResumeState(provenance: p) } catch {
            // Not committed: put the log back to the committed epochs (best effort;
            // `--resume` drops rows past the committed epoch in any case).
            try? EpochLog.write(records.filter { $0.epoch < epoch }, jsonl: folder.logJSONL, csv: folder.logCSV)
            throw error
        }
        try afterCommitStep?(.resumeState, epoch)
    }

    private func writeRunFiles() throws {
        try folder.writeItemMap(dataset)
        try AtomicFile.write(try runConfig.json(), to: folder.config)
    }
}
