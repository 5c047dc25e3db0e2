import Foundation

/// `re4 train` as one job: checks the output folder, opens the data, builds
/// the trainer (resuming when asked, after checking the settings against the
/// run's config) and trains until the last epoch, the patience or a signal.
public enum TrainingRun {
    /// - Parameters:
    ///   - resume: continue the run in `out`; without it `out` must not hold a run.
    ///   - stopOnSignals: SIGINT/SIGTERM finish the current batch and stop, keeping
    ///     the last completed epoch (`TrainingError.interrupted`).
    ///   - started: called once the data is open, before the first epoch.
    /// - Returns: the trainer after its last epoch (`isComplete` on entry when
    ///   a resumed run had nothing left to train).
    @discardableResult
    public static func run(source: DataSource, model: ModelConfig, options: TrainingOptions, out: String,
                           resume: Bool, replace: Bool = false, stopOnSignals: Bool = true,
                           started: (Trainer) -> Void = { _ in },
                           replaced: (String) -> Void = { _ in },
                           progress: (TrainingEvent) -> Void = { _ in }) throws -> Trainer {
        let folder = RunFolder(out)
        try folder.checkCreatable()
        // Checks that read only, so a refused command changes nothing: the lock
        // first (a folder being trained into is busy, not "already a run").
        try RunLock.checkFree(folder)
        if !resume && !replace { try refuseExistingRun(folder, settings: nil) }
        let ds = try source.load()
        var trainer = try Trainer(dataset: ds, source: source, config: model, options: options, out: out)
        if resume { try trainer.checkResumable() }
        // Every check of the command line and the data has passed: take the folder.
        let lock = try RunLock(folder: folder)
        defer { withExtendedLifetime(lock) {} }
        if !resume && !replace { try refuseExistingRun(folder, settings: trainer.runConfig) }   // again, now under the lock
        if replace && !folder.runFiles.isEmpty {
            // The old run is moved aside whole, never deleted; the new one starts in a fresh folder.
            replaced(try folder.moveAside())
        }
        for t in folder.staleTemporaries() { try? FileManager.default.removeItem(atPath: t) }
        if resume { try trainer.resume() }
        started(trainer)
        if trainer.isComplete { return trainer }
        let handlers = stopOnSignals ? StopRequest.installSignalHandlers() : []
        defer { handlers.forEach { $0.cancel() } }
        try trainer.run(progress: progress)
        return trainer
    }
}

extension TrainingRun {
    /// A new run never goes into a folder that holds any run file. The one
    /// exception: only a config.json with the same settings, left by a run stopped
    /// before its first epoch was committed (nothing to lose; a grid restarts it).
    /// - Parameter settings: the new run's config, once known (nil: checked again later).
    static func refuseExistingRun(_ folder: RunFolder, settings: RunConfig?) throws {
        let files = folder.runFiles
        guard !files.isEmpty else { return }
        if files == [RunFolder.configName] {
            guard let settings else { return }
            if let stored = try? folder.readConfig(), stored.changes(to: settings).isEmpty { return }
        }
        var what = ""
        if let c = try? folder.readConfig() { what = "seed \(c.training.seed), \(c.model.encoder.rawValue)\(c.model.isBase ? " Base" : "")" }
        if let n = try? folder.readLog().count, n > 0 { what += (what.isEmpty ? "" : ", ") + "\(n) epoch\(n == 1 ? "" : "s") logged" }
        throw RunError.holdsRunFiles(folder: folder.path, files: files, what: what)
    }
}

extension StopRequest {
    /// SIGINT and SIGTERM set `requested` instead of killing the process.
    /// - Returns: the sources; cancel them to stop listening.
    public static func installSignalHandlers() -> [DispatchSourceSignal] {
        signal(SIGINT, SIG_IGN); signal(SIGTERM, SIG_IGN)
        return [SIGINT, SIGTERM].map { sig in
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { StopRequest.requested = true }
            s.resume()
            return s
        }
    }
}

extension RunFolder {
    /// The folder is created with its parents; the nearest existing one must be
    /// a writable folder.
    public func checkCreatable() throws {
        try OutputPaths.checkName(path + "/" + RunFolder.resumeName)   // before any folder is made
        var probe = URL(fileURLWithPath: path)
        while !FileManager.default.fileExists(atPath: probe.path) && probe.path != "/" { probe.deleteLastPathComponent() }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: probe.path, isDirectory: &isDir), isDir.boolValue,
              FileManager.default.isWritableFile(atPath: probe.path) else {
            throw IOError.unwritable(path: path, reason: "\(probe.path) is not a writable folder")
        }
    }
}
