import Foundation

/// Everything that decides which `Dataset` a name or path becomes: the data
/// itself and every reading option. Training records it in the run's config, and
/// the analysis commands open a run's data from it, so both sides see the same
/// item numbering and the same split (docs/run-folder.md).
public struct DataSource: Codable, Sendable, Equatable {
    /// A catalogue name (`ml-latest-small`, `ml-1m`, …) or a path.
    public var data: String
    /// Seed of the 80/10/10 user split.
    public var splitSeed: UInt64 = 2022
    /// Iterated k-core filter (0 = none).
    public var kCore: Int = 0
    public var itemOrder: ItemOrder = .firstSeen
    /// Generic CSV only: the user, item and timestamp columns ("1,2,4" or header names).
    public var columns: String? = nil
    /// Generic CSV only: the field delimiter (`\t` for a tab).
    public var delimiter: String = ","

    public init(data: String, splitSeed: UInt64 = 2022, kCore: Int = 0, itemOrder: ItemOrder = .firstSeen,
                columns: String? = nil, delimiter: String = ",") {
        self.data = data; self.splitSeed = splitSeed; self.kCore = kCore; self.itemOrder = itemOrder
        self.columns = columns; self.delimiter = delimiter
    }

    enum CodingKeys: String, CodingKey {
        case data, splitSeed = "split_seed", kCore = "k_core", itemOrder = "item_order", columns, delimiter
    }

    public var datasetOptions: DatasetOptions {
        var o = DatasetOptions()
        o.seed = splitSeed; o.kCore = kCore; o.itemOrder = itemOrder
        return o
    }

    /// The CSV reading rule the columns and delimiter ask for (nil = detect from the file).
    public func fileSpec() throws -> InteractionFileSpec? {
        let delim = delimiter == "\\t" ? "\t" : delimiter
        if let columns {
            let c = columns.split(separator: ",").map { ColumnRef(parsing: String($0)) }
            guard c.count == 3 else {
                throw DataError.badOption("--columns needs three entries user,item,timestamp, got '\(columns)'")
            }
            let names = columns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard Set(names).count == 3 else {
                throw DataError.badOption("--columns '\(columns)' names one column twice; the user, item and timestamp must be three different columns")
            }
            return InteractionFileSpec(delimiter: delim, user: c[0], item: c[1], time: c[2])
        }
        return delimiter == "," ? nil : InteractionFileSpec(delimiter: delim)
    }

    /// The files or folders this source reads that exist on disk (a path as
    /// given; a catalogue name's folder in the cache), so outputs can be kept off them.
    public var inputPaths: [String] {
        let fm = FileManager.default
        if fm.fileExists(atPath: data) {
            var out = [data]
            // ComiRec's split files sit side by side.
            if data.hasSuffix("_train.txt") {
                let prefix = String(data.dropLast("_train.txt".count))
                out += ["_valid.txt", "_test.txt", "_item_map.txt", "_item_cate.txt"].map { prefix + $0 }.filter { fm.fileExists(atPath: $0) }
            }
            return out
        }
        let cached = DataCatalog.cacheFolder + "/" + data
        if fm.fileExists(atPath: cached) { return [cached] }
        if data == DataCatalog.embeddedName, let dir = DataCatalog.embeddedFolder() { return [dir] }
        return []
    }

    /// Reads the data set.
    public func load() throws -> Dataset {
        guard kCore >= 0 else { throw DataError.badOption("--k-core must be ≥ 0, got \(kCore)") }
        return try DataCatalog.load(data, options: datasetOptions, csvSpec: fileSpec())
    }

    /// The reading options that differ between two sources, as "--option was A, now B"
    /// phrases (the data name or path is compared by the fingerprint, not here).
    public func differences(from trained: DataSource) -> [String] {
        var d: [String] = []
        func note(_ option: String, _ was: String, _ now: String) { if was != now { d.append("\(option) was \(was), now \(now)") } }
        note("--split-seed", "\(trained.splitSeed)", "\(splitSeed)")
        note("--k-core", "\(trained.kCore)", "\(kCore)")
        note("--item-order", trained.itemOrder.rawValue, itemOrder.rawValue)
        note("--columns", trained.columns ?? "(detected)", columns ?? "(detected)")
        note("--delimiter", trained.delimiter, delimiter)
        return d
    }
}
