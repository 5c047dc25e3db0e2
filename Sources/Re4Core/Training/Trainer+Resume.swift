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
        // publishing; it is trained again and its rows rewritten.
        records = try folder.readLog().filter { $0.epoch <= epoch }
    }

    /// Checks, reading only, that the folder holds a run and that this trainer's
    /// settings match its config. - Returns: the sessions recorded so far.
    @discardableResult
    public func checkResumable() throws -> [RunConfig.Session] {
        guard folder.holdsRun else { throw RunError.nothingToResume(folder: out) }
        guard FileManager.default.fileExists(atPath: folder.config) else { return [] }
        let stored = try folder.readConfig()
        let changes = stored.changes(to: runConfig)
        guard changes.isEmpty else { throw RunError.resumeChanged(folder: out, changes: changes) }
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
