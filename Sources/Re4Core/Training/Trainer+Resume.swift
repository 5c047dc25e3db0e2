import Foundation

/// The resume state (`last.optim.safetensors`): parameters, Adam's moments
/// and counters after the last completed epoch. It is the last file an epoch
/// publishes, so the epoch it names is the last one complete on disk.
extension Trainer {
    static let paramPrefix = "param/", firstMomentPrefix = "adam_m/", secondMomentPrefix = "adam_v/"

    /// Checks that the command line matches the run's config, then restores the
    /// state saved after the last completed epoch.
    public mutating func resume() throws {
        previousSessions = try checkResumable()
        let path = folder.resumeState
        let st = try SafeTensors.read(path: path)
        var sets = [ParameterSet(), ParameterSet(), ParameterSet()]
        for (i, name) in model.params.names.enumerated() {
            for (s, prefix) in [Self.paramPrefix, Self.firstMomentPrefix, Self.secondMomentPrefix].enumerated() {
                let t = try st.tensor(prefix + name, source: path)
                guard t.shape == model.params.shapes[i] else {
                    throw SafeTensorsError.wrongShape(file: path, tensor: prefix + name, expected: model.params.shapes[i], found: t.shape)
                }
                sets[s].add(name, shape: t.shape, values: t.values)
            }
        }
        let meta = st.metadata
        if let fp = meta["dataset_fingerprint"], fp != dataset.fingerprint {
            throw CheckpointError.datasetMismatch(file: path, checkpoint: fp, data: dataset.fingerprint, dataName: dataset.name)
        }
        guard let epoch = Int(meta["epoch"] ?? ""), let step = Int(meta["step"] ?? "") else {
            throw CheckpointError.badMetadata(file: path, key: "epoch", value: meta["epoch"] ?? "")
        }
        model.params = sets[0]
        adam = Adam(m: sets[1], v: sets[2], step: step)
        configureAdam()
        bestEpoch = Int(meta["best_epoch"] ?? "0") ?? 0
        bestValid = Double(meta["best_valid"] ?? "-1") ?? -1
        badEpochs = Int(meta["bad_epochs"] ?? "0") ?? 0
        startEpoch = epoch + 1
        // Rows past the committed epoch belong to an epoch that did not finish
        // publishing; it is trained again and its rows rewritten. A log is only
        // rewritten once read whole (checkResumable refused otherwise).
        records = try folder.completeLog(through: epoch)?.records ?? []
    }

    /// Checks, reading only, that the folder holds a run and that this trainer's
    /// settings match its config. - Returns: the sessions recorded so far.
    @discardableResult
    public func checkResumable() throws -> [RunConfig.Session] {
        let present = folder.runFiles
        guard folder.holdsRun else {
            if present.isEmpty { throw RunError.nothingToResume(folder: out) }
            throw RunError.resumeStateMissing(folder: out, files: present)
        }
        guard FileManager.default.fileExists(atPath: folder.config) else {
            throw RunError.resumeFileMissing(folder: out, file: RunFolder.configName,
                                             why: "--resume checks the command line against the run's settings there, and continuing without it could mix two runs")
        }
        let stored = try folder.readConfig()
        let changes = stored.changes(to: runConfig)
        guard changes.isEmpty else { throw RunError.resumeChanged(folder: out, changes: changes) }
        // Every file against the resume state: the state names the committed epoch, the seed and the best epoch.
        let meta = try SafeTensors.read(path: folder.resumeState).metadata
        if let s = meta["seed"], s != "\(options.seed)" {
            throw RunError.resumeMismatch(file: folder.resumeState, what: "it was written by seed \(s), the command line and config.json say \(options.seed)")
        }
        let epoch = Int(meta["epoch"] ?? "") ?? 0
        if epoch > 0 {
            guard try folder.completeLog(through: epoch) != nil else {
                let which = [RunFolder.logJSONLName, RunFolder.logCSVName].filter { FileManager.default.fileExists(atPath: folder.path + "/" + $0) }
                throw RunError.resumeFileMissing(folder: out, file: which.isEmpty ? RunFolder.logJSONLName : which.joined(separator: " and "),
                                                 why: "neither log holds every epoch 1–\(epoch) the run committed, and --resume would rewrite the log without the rows it lacks")
            }
            for (path, want, name) in [(folder.last, epoch, RunFolder.lastName), (folder.best, Int(meta["best_epoch"] ?? "") ?? 0, RunFolder.bestName)] where want > 0 {
                guard FileManager.default.fileExists(atPath: path) else {
                    throw RunError.resumeFileMissing(folder: out, file: name, why: "the run committed epoch \(epoch) and would go on without its \(name == RunFolder.bestName ? "best" : "last") checkpoint")
                }
                // A file may also hold epoch+1: the epoch that was being committed when
                // the run stopped (best and last are written before the resume state);
                // that epoch is trained again and the file rewritten.
                if let e = try? SafeTensors.read(path: path).metadata["epoch"], e != "\(want)", e != "\(epoch + 1)" {
                    throw RunError.resumeMismatch(file: path, what: "it holds epoch \(e), the resume state says \(want)")
                }
            }
        }
        return stored.sessions
    }

    /// Whether a resumed run has nothing left to do: its last epoch is reached,
    /// or its patience ran out.
    public var isComplete: Bool {
        startEpoch > options.epochs || (options.patience.map { badEpochs >= $0 } ?? false)
    }

    /// Writes the resume state for the epoch just completed.
    func writeResumeState(provenance p: Checkpoint.Provenance) throws {
        var meta = Checkpoint.metadata(model.config, p)
        meta["step"] = "\(adam.step)"; meta["best_epoch"] = "\(bestEpoch)"
        meta["best_valid"] = "\(bestValid)"; meta["bad_epochs"] = "\(badEpochs)"
        var tensors: [String: Tensor] = [:]
        for (i, name) in model.params.names.enumerated() {
            let shape = model.params.shapes[i]
            tensors[Self.paramPrefix + name] = Tensor(shape: shape, values: model.params.buffers[i].array)
            tensors[Self.firstMomentPrefix + name] = Tensor(shape: shape, values: adam.m.buffers[i].array)
            tensors[Self.secondMomentPrefix + name] = Tensor(shape: shape, values: adam.v.buffers[i].array)
        }
        try SafeTensors(metadata: meta, tensors: tensors).write(path: folder.resumeState)
    }
}
