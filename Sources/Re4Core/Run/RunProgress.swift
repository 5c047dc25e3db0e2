import Foundation

/// Whether a run's training is over, read from its log and the sessions in its
/// config: tables and figures that compare runs use it so that a run still
/// training (or killed and not resumed) is not reported as if it were done.
///
/// The last session's `epochs` and `patience` are what `re4 train` was told
/// the last time; the log is replayed with the trainer's own rule
/// (`BestEpoch.improves`) to count the epochs since the best one.
public enum RunProgress: Equatable, Sendable {
    /// The last session's final epoch was trained.
    case reachedLastEpoch(epoch: Int)
    /// `patience` epochs in a row did not improve on the best one.
    case patienceRanOut(epoch: Int, best: Int, patience: Int)
    /// Neither: the run is still training, or was stopped and not resumed.
    case unfinished(epoch: Int, of: Int)
    /// No config, or one without sessions (a version-1 config without `epochs`;
    /// one with it gets a session of those epochs): nothing to judge by.
    case unknown(epoch: Int)

    public var isFinished: Bool {
        switch self {
        case .reachedLastEpoch, .patienceRanOut, .unknown: return true
        case .unfinished: return false
        }
    }

    /// The state from a run's epochs (any order) and its config's sessions.
    public static func of(records: [EpochRecord], sessions: [RunConfig.Session]) -> RunProgress {
        let sorted = records.sorted { $0.epoch < $1.epoch }
        let last = sorted.last?.epoch ?? 0
        guard let session = sessions.last else { return .unknown(epoch: last) }
        if last >= session.epochs { return .reachedLastEpoch(epoch: last) }
        // The trainer's replay: the first epoch always improves on the start (−1).
        var bestScore = -1.0, bestEpoch = 0, bad = 0
        for r in sorted {
            let s = BestEpoch.score(r)
            if BestEpoch.improves(s, on: bestScore) { bestScore = s; bestEpoch = r.epoch; bad = 0 } else { bad += 1 }
        }
        if let p = session.patience, !sorted.isEmpty, bad >= p {
            return .patienceRanOut(epoch: last, best: bestEpoch, patience: p)
        }
        return .unfinished(epoch: last, of: session.epochs)
    }

    /// The state of the run in `folder`: its log and, when present, its config.
    public static func of(folder: RunFolder) throws -> RunProgress { try of(folder: folder, records: folder.readLog()) }

    /// The same for a log already read: only the config's sessions are read.
    public static func of(folder: RunFolder, records: [EpochRecord]) throws -> RunProgress {
        of(records: records, sessions: FileManager.default.fileExists(atPath: folder.config) ? try folder.readConfig().sessions : [])
    }

    /// One line per run folder for `re4 status`: its state, its best epoch and
    /// that epoch's validation Recall@50. A folder with neither a logged epoch
    /// nor a config is refused.
    public static func statusLine(folder path: String) throws -> (line: String, finished: Bool) {
        let folder = RunFolder(path)
        let records = try folder.readLog()
        let job = slurmOwner(folder).map { "; run by Slurm job \($0)" } ?? ""
        guard let best = BestEpoch.best(records) ?? records.max(by: { $0.epoch < $1.epoch }) else {
            // A run that has its config but no epoch yet has only just started.
            guard FileManager.default.fileExists(atPath: folder.config) || !job.isEmpty else { throw RunError.noLog(folder: path) }
            return ("\(path): no epoch trained yet\(job)", false)
        }
        let p = try of(folder: folder, records: records)
        let score = best.valid[BestEpoch.metric].map { String(format: "%.4f", $0) } ?? "n/a"
        return ("\(path): \(p.description); best epoch \(best.epoch) (validation Recall@50 \(score))\(job)", p.isFinished)
    }

    /// The Slurm array job and task that last ran the run (the `slurm-job` file
    /// scripts/slurm-grid.sh writes into the folder), as "JOB_TASK (job ID on HOST, restarts N)".
    public static func slurmOwner(_ folder: RunFolder) -> String? {
        guard let d = FileManager.default.contents(atPath: folder.path + "/slurm-job"), d.count < 4096 else { return nil }
        let f = String(decoding: d, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        guard f.count >= 4 else { return nil }
        return "\(f[0])_\(f[1]) (job \(f[2]) on \(f[3])\(f.count > 4 ? ", " + f[4].replacingOccurrences(of: "=", with: " ") : ""))"
    }

    /// The run names of a grid file of `scripts/train-grid.sh`: per line a folder
    /// name, then that run's `re4 train` options; blank lines and `#` comments skipped.
    /// A name must be one path component, and each may appear once.
    public static func gridRunNames(file path: String) throws -> [String] {
        let bytes = try readFile(path)
        guard bytes.count <= 1 << 20 else { throw RunError.badGrid(path: path, line: 1, reason: "over 1 MiB, not a grid file") }
        guard let text = String(data: bytes, encoding: .utf8) else { throw RunError.badGrid(path: path, line: 1, reason: "not UTF-8 text") }
        var names: [String] = [], seen = Set<String>()
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            let name = String(line.split(whereSeparator: { $0 == " " || $0 == "\t" })[0])
            guard !name.contains("/"), name != ".", name != ".." else {
                throw RunError.badGrid(path: path, line: i + 1, reason: "'\(name)' is not a folder name")
            }
            guard seen.insert(name).inserted else { throw RunError.badGrid(path: path, line: i + 1, reason: "'\(name)' is named twice") }
            names.append(name)
        }
        return names
    }

    /// A phrase for messages: "epoch 5 of 12", "stopped at epoch 9 (patience 3)".
    public var description: String {
        switch self {
        case .reachedLastEpoch(let e): return "finished at epoch \(e)"
        case .patienceRanOut(let e, _, let p): return "stopped at epoch \(e) (patience \(p))"
        case .unfinished(let e, let n): return "epoch \(e) of \(n), not finished"
        case .unknown(let e): return "epoch \(e) (no session recorded)"
        }
    }
}
