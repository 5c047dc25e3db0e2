import Foundation

/// A finished run kept without its checkpoints: `config.json`, `log.jsonl`
/// and its best epoch's per-user metrics (`per-user/epoch-NNN.csv`, test users
/// at least). That is what the reproduction's tables, paired comparisons,
/// Figure 3 and the ablation figure read (`re4-viz figures --archive`), in a
/// few tens of KB instead of the checkpoints' MBs, so a grid's results can be
/// committed and outlive the machine that trained them (docs/run-folder.md
/// § Archived runs). Figure 4, the item map and distinctness need the models.
public enum RunArchive {
    /// The files an archived run holds besides its per-user file.
    public static let keptFiles = [RunFolder.configName, RunFolder.logJSONLName]

    /// Archives the finished run in `run` as `archive/<its folder name>` and
    /// returns that path. The per-user file is copied when the run kept one
    /// (`re4 train --per-user-log`), else the best checkpoint is evaluated on
    /// the test users (the data as the run recorded it, `request` over it).
    /// The archive is written beside its final place and renamed into it, so a
    /// failure leaves no partial folder; an existing archive is never replaced.
    public static func keep(run: String, into archive: String, request: DataRequest = DataRequest(), threads: Int = 1,
                            log: (String) -> Void = { _ in }) throws -> String {
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
        guard !fm.fileExists(atPath: dest) else {
            throw RunError.cannotArchive(folder: run, reason: "\(dest) exists; remove it first to archive the run again")
        }
        guard fm.fileExists(atPath: archive) else { throw IOError.missingFolder(path: dest, folder: archive) }
        let stage = archive + "/.\(name).partial-\(ProcessInfo.processInfo.processIdentifier)"
        try? fm.removeItem(atPath: stage)
        let staged = RunFolder(stage)
        do {
            try fm.createDirectory(atPath: staged.perUserFolder, withIntermediateDirectories: true)
            for f in keptFiles { try fm.copyItem(atPath: run + "/" + f, toPath: stage + "/" + f) }
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
}
