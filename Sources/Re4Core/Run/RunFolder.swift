import Foundation

/// A training run's folder: every file name in one place (docs/run-folder.md).
///
/// ```
/// config.json             RunConfig: settings, data, fingerprint, sessions
/// log.jsonl, log.csv      one row per completed epoch
/// last.safetensors        the model after the last completed epoch
/// best.safetensors        the model at the best validation epoch (BestEpoch)
/// epoch-NNN.safetensors   every epoch, with --keep-every-epoch
/// last.optim.safetensors  parameters, Adam moments and counters: what --resume reads
/// items.tsv               item number → raw id and title
/// ```
public struct RunFolder: Sendable, Equatable {
    public static let configName = "config.json"
    public static let logJSONLName = "log.jsonl"
    public static let logCSVName = "log.csv"
    public static let lastName = "last.safetensors"
    public static let bestName = "best.safetensors"
    public static let resumeName = "last.optim.safetensors"
    public static let itemMapName = "items.tsv"

    public let path: String
    public init(_ path: String) { self.path = path }

    public var config: String { path + "/" + Self.configName }
    public var logJSONL: String { path + "/" + Self.logJSONLName }
    public var logCSV: String { path + "/" + Self.logCSVName }
    public var last: String { path + "/" + Self.lastName }
    public var best: String { path + "/" + Self.bestName }
    public var resumeState: String { path + "/" + Self.resumeName }
    public var itemMap: String { path + "/" + Self.itemMapName }
    public func epochCheckpoint(_ epoch: Int) -> String { path + String(format: "/epoch-%03d.safetensors", epoch) }
    /// `re4 train --per-user-log`: every valid and test user's metrics after `epoch`.
    public var perUserFolder: String { path + "/per-user" }
    public func perUserLog(_ epoch: Int) -> String { perUserFolder + String(format: "/epoch-%03d.csv", epoch) }

    /// Whether the folder holds a run that `--resume` can continue.
    public var holdsRun: Bool { FileManager.default.fileExists(atPath: resumeState) }

    /// The run files present: any of them means the folder holds a run (or what
    /// is left of one) that a new run must not replace by accident.
    public var runFiles: [String] {
        [Self.configName, Self.logJSONLName, Self.logCSVName, Self.lastName, Self.bestName, Self.resumeName]
            .filter { FileManager.default.fileExists(atPath: path + "/" + $0) }
    }

    /// Moves the run out of the way to `PATH.replaced-N` (the first N free) and
    /// returns that path: `re4 train --replace` starts over without losing the old run.
    /// Every entry but the lock moves, so the folder stays locked by this process.
    public func moveAside() throws -> String {
        var n = 1
        while FileManager.default.fileExists(atPath: "\(path).replaced-\(n)") { n += 1 }
        let target = "\(path).replaced-\(n)"
        guard mkdir(target, 0o755) == 0 else { throw IOError.unwritable(path: target, reason: IOError.cause(errno)) }
        for name in try FileManager.default.contentsOfDirectory(atPath: path) where name != ".lock" {
            guard rename(path + "/" + name, target + "/" + name) == 0 else {
                throw IOError.unwritable(path: path + "/" + name, reason: IOError.cause(errno) + " (moving it to \(target))")
            }
        }
        return target
    }

    /// The run folder that holds `checkpoint`, if a `config.json` sits beside it.
    public static func containing(checkpoint: String) -> RunFolder? {
        let dir = URL(fileURLWithPath: checkpoint).deletingLastPathComponent().path
        return FileManager.default.fileExists(atPath: dir + "/" + configName) ? RunFolder(dir) : nil
    }

    /// The run's config (current or version-1 format).
    public func readConfig() throws -> RunConfig { try RunConfig.read(path: config) }

    /// The per-epoch log, empty when there is none yet.
    public func readLog() throws -> [EpochRecord] {
        FileManager.default.fileExists(atPath: logJSONL) ? try EpochLog.read(jsonl: logJSONL) : []
    }

    /// The log of a run whose last committed epoch is `epoch`: log.jsonl when it
    /// holds every epoch 1…epoch, else log.csv when that does; otherwise nil (a
    /// log that --resume would rewrite without rows it never read).
    public func completeLog(through epoch: Int) throws -> (records: [EpochRecord], from: String)? {
        func complete(_ r: [EpochRecord]) -> Bool { Set(r.filter { $0.epoch <= epoch }.map(\.epoch)) == Set(1...max(1, epoch)) || epoch == 0 }
        for (path, read) in [(logJSONL, { try EpochLog.read(jsonl: self.logJSONL) }), (logCSV, { try EpochLog.read(csv: self.logCSV) })]
        where FileManager.default.fileExists(atPath: path) {
            if let r = try? read(), complete(r) { return (r.filter { $0.epoch <= epoch }, path) }
        }
        return nil
    }

    /// Writes the item map (`Dataset.itemMapTSV`).
    public func writeItemMap(_ ds: Dataset) throws { try AtomicFile.write(ds.itemMapTSV, to: itemMap) }
}

extension Dataset {
    /// The item map as TSV: `id  raw_id  title`, one line per item number.
    public var itemMapTSV: String {
        var lines = "id\traw_id\ttitle\n"
        for i in stride(from: 1, through: itemCount, by: 1) {
            lines += "\(i)\t\(itemIDs[i - 1])\t\(itemTitles.indices.contains(i) ? itemTitles[i] : "")\n"
        }
        return lines
    }
}
