import Foundation

/// A finished run kept without its resume state and per-epoch checkpoints:
/// `config.json`, `log.jsonl` and its best epoch's per-user metrics
/// (`per-user/epoch-NNN.csv`, test users at least). That is what the
/// reproduction's tables, paired comparisons, Figure 3 and the ablation figure
/// read (`re4-viz figures --archive`), in a few tens of KB instead of the run's
/// tens of MB, so a grid's results can be committed and outlive the machine
/// that trained them (docs/run-folder.md § Archived runs). With `checkpoint`,
/// the best epoch's model (`best.safetensors`, weights and metadata only) is
/// kept too, for Figure 4, the item map and distinctness.
public enum RunArchive {
    /// The files an archived run holds besides its per-user file.
    public static let keptFiles = [RunFolder.configName, RunFolder.logJSONLName]

    /// Archives the finished run in `run` as `archive/<its folder name>` and
    /// returns that path. The per-user file is copied when the run kept one
    /// (`re4 train --per-user-log`), else the best checkpoint is evaluated on
    /// the test users (the data as the run recorded it, `request` over it).
    /// The archive is written beside its final place and renamed into it, so a
    /// failure leaves no partial folder; an existing archive is never replaced.
    /// With `checkpoint`, `best.safetensors` is kept as well; an archive of the
    /// same run kept without it gets it added (`differingFile`).
    public static func keep(run: String, into archive: String, checkpoint: Bool = false, request: DataRequest = DataRequest(),
                            threads: Int = 1, log: (String) -> Void = { _ in }) throws -> String {
        let fm = FileManager.default
        let folder = RunFolder(run)
        guard fm.fileExists(atPath: folder.config) else {
            throw RunError.cannotArchive(folder: run, reason: "no \(RunFolder.configName); give a folder written by re4 train --out")
        }
        let records = try folder.readLog()
        guard let best = BestEpoch.best(records) else { throw RunError.noLog(folder: run) }
        let progress = try RunProgress.of(folder: folder, records: records)
        guard progress.isFinished else {
            throw RunError.cannotArchive(folder: run, reason: "\(progress.description); archive it once it has finished (re4 train --resume)")
        }
        let name = URL(fileURLWithPath: run).standardizedFileURL.lastPathComponent
        let dest = archive + "/" + name
        if checkpoint, !fm.fileExists(atPath: folder.best) {
            throw RunError.cannotArchive(folder: run, reason: "no \(RunFolder.bestName) to keep; archive it without --checkpoint")
        }
        if fm.fileExists(atPath: dest) {
            let keptBest = dest + "/" + RunFolder.bestName
            guard checkpoint, !fm.fileExists(atPath: keptBest) else {
                throw RunError.cannotArchive(folder: run, reason: "\(dest) exists; remove it first to archive the run again")
            }
            if let f = differingFile(run: run, kept: dest) {
                throw RunError.cannotArchive(folder: run, reason: "\(dest) holds a run whose \(f) differs from this one's;"
                                             + " remove it first to archive this run")
            }
            try AtomicFile.write(try readFile(folder.best), to: keptBest)
            log("\(name): the archive kept before is the same run; its \(RunFolder.bestName) added")
            return dest
        }
        guard fm.fileExists(atPath: archive) else { throw IOError.missingFolder(path: dest, folder: archive) }
        let stage = archive + "/.\(name).partial-\(ProcessInfo.processInfo.processIdentifier)"
        try? fm.removeItem(atPath: stage)
        let staged = RunFolder(stage)
        do {
            try fm.createDirectory(atPath: staged.perUserFolder, withIntermediateDirectories: true)
            for f in keptFiles + (checkpoint ? [RunFolder.bestName] : []) {
                try fm.copyItem(atPath: run + "/" + f, toPath: stage + "/" + f)
            }
            let kept = folder.perUserLog(best.epoch)
            if fm.fileExists(atPath: kept) {
                try fm.copyItem(atPath: kept, toPath: staged.perUserLog(best.epoch))
                log("\(name): best epoch \(best.epoch); its per-user file copied")
            } else {
                guard fm.fileExists(atPath: folder.best) else {
                    throw RunError.cannotArchive(folder: run, reason: "neither \(RunFolder.bestName) nor the per-user file of its best epoch \(best.epoch)")
                }
                let r = try RunData.open(checkpoints: [folder.best], request: request, allowMismatch: false)
                let users = r.dataset.users(in: .test)
                log("\(name): best epoch \(best.epoch); evaluating \(users.count) test users")
                let csv = Evaluator.perUserCSV(model: r.models[0], dataset: r.dataset, users: users,
                                               cutoffs: RankingMetrics.cutoffs, threads: threads)
                try AtomicFile.write(csv, to: staged.perUserLog(best.epoch))
            }
            try fm.moveItem(atPath: stage, toPath: dest)
        } catch {
            try? fm.removeItem(atPath: stage)
            throw error
        }
        return dest
    }

    /// The kept file that shows `kept` to hold another run than `run`, or nil when it is the
    /// same run: the same config apart from its training sessions (commit, threads, where a
    /// resume began) and the same epochs with the same losses and metrics apart from their
    /// timing (`seconds`, `examples_per_s`). Read with the run folder's own readers; a file
    /// they refuse differs.
    static func differingFile(run: String, kept: String) -> String? {
        func config(_ f: RunFolder) -> RunConfig? { (try? f.readConfig()).map { var c = $0; c.sessions = []; return c } }
        func epochs(_ f: RunFolder) -> [EpochRecord]? {
            (try? f.readLog()).map { $0.map { var r = $0; r.seconds = 0; r.examplesPerSecond = 0; return r } }
        }
        let a = RunFolder(run), b = RunFolder(kept)
        guard let x = config(a), let y = config(b), x == y else { return RunFolder.configName }
        guard let x = epochs(a), let y = epochs(b), x == y else { return RunFolder.logJSONLName }
        return nil
    }
}
