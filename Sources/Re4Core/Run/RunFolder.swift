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
