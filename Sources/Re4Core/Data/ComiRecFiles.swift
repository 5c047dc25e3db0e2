import Foundation

/// ComiRec's pre-split files `NAME_train.txt`, `NAME_valid.txt`, `NAME_test.txt`
/// with lines `user,item,order`. They are read as they are: no re-split, and the
/// integer item ids are kept as embedding rows (n = the largest id), so weights
/// trained elsewhere on the same files line up row for row (docs/model.md §1).
public enum ComiRecFiles {
    /// The largest item id accepted. Ids are embedding rows here, so the id
    /// itself sizes the embedding: 20 M rows of d = 64 are 5 GB of parameters,
    /// ten times Taobao's 1.7 M items (the largest set ComiRec used).
    public static let maxItemID: Int32 = 20_000_000

    /// - Parameter prefix: path up to the part suffix, e.g. `data/book_data/book`
    ///   for `book_train.txt` etc.
    public static func read(prefix: String, name: String? = nil) throws -> Dataset {
        var userIDs: [String] = []
        var sequences: [[Int32]] = []
        var split: [SplitPart] = []
        var maxItem: Int32 = 0
        var read = 0
        var skipped = 0
        var seenIn: [String: String] = [:]   // user → the file that had it
        for part in SplitPart.allCases where !FileManager.default.fileExists(atPath: "\(prefix)_\(part.name).txt") {
            throw DataError.missingFile(path: "\(prefix)_\(part.name).txt",
                                        hint: "ComiRec data needs NAME_train.txt, NAME_valid.txt and NAME_test.txt side by side")
        }
        for part in SplitPart.allCases {
            let path = "\(prefix)_\(part.name).txt"
            let data = try readFile(path)
            var index: [String: Int] = [:]
            var rows: [[(order: Int64, line: Int, item: Int32)]] = []
            var ids: [String] = []
            try data.withUnsafeBytes { raw in
                try DelimitedText(delimiter: ",", quotes: false).forEachRow(in: raw) { line, f in
                    guard f.count >= 3 else {
                        throw DataError.missingColumn(file: path, line: line, column: f.count < 2 ? "item" : "order", found: f.count)
                    }
                    guard let item = Int32(f[1].trimmingCharacters(in: .whitespaces)) else {
                        throw DataError.badItemID(file: path, line: line, value: String(f[1]), reason: "is not an integer; ComiRec files hold integer item ids")
                    }
                    guard item >= 1 else {
                        throw DataError.badItemID(file: path, line: line, value: String(f[1]), reason: "must be ≥ 1 (0 is the padding row)")
                    }
                    guard item <= maxItemID else {
                        throw DataError.badItemID(file: path, line: line, value: String(f[1]),
                                                  reason: "is above \(maxItemID), the largest id kept as an embedding row (ids are rows in ComiRec files, so this one alone would size the embedding); renumber the items 1…n")
                    }
                    guard let order = Int64(f[2].trimmingCharacters(in: .whitespaces)) else {
                        throw DataError.badNumber(file: path, line: line, column: "order", value: String(f[2]))
                    }
                    let u = String(f[0])
                    if index[u] == nil {
                        if let other = seenIn[u] { throw DataError.userInTwoSplits(user: u, first: other, second: path, line: line) }
                        index[u] = ids.count; ids.append(u); rows.append([])
                    }
                    rows[index[u]!].append((order, line, item))
                    maxItem = max(maxItem, item)
                    read += 1
                }
            }
            if ids.isEmpty { throw DataError.empty(file: path) }
            for u in ids { seenIn[u] = path }
            for (k, r) in rows.enumerated() {
                if r.count < 2 { skipped += 1; continue }
                let sorted = r.sorted { ($0.order, $0.line) < ($1.order, $1.line) }
                userIDs.append(ids[k]); sequences.append(sorted.map { $0.item }); split.append(part)
            }
        }
        if sequences.isEmpty { throw DataError.noUsableUsers(file: prefix + "_train.txt") }
        var ds = Dataset(name: name ?? URL(fileURLWithPath: prefix).lastPathComponent,
                         itemIDs: (1...Int(maxItem)).map(String.init), userIDs: userIDs,
                         sequences: sequences, split: split, itemCategories: [], itemTitles: [])
        ds.skippedUsers = skipped
        ds.interactionsRead = read
        ds.presplit = true
        ds.attach(nil)
        try readSideFiles(prefix: prefix, into: &ds)
        return ds
    }

    /// ComiRec's preprocessing also writes `NAME_item_map.txt` (`original id,item id`)
    /// and `NAME_item_cate.txt` (`item id,category`): when they sit beside the split,
    /// the original ids become the items' titles and the categories their genres,
    /// so maps and the explorer name items as the source data does. Neither enters
    /// the data's fingerprint.
    static func readSideFiles(prefix: String, into ds: inout Dataset) throws {
        let n = ds.itemCount
        func each(_ path: String, _ body: (Int, String, String) throws -> Void) throws {
            guard FileManager.default.fileExists(atPath: path) else { return }
            try readFile(path).withUnsafeBytes { raw in
                try DelimitedText(delimiter: ",", quotes: false).forEachRow(in: raw) { line, f in
                    guard f.count >= 2 else { throw DataError.missingColumn(file: path, line: line, column: "item id", found: f.count) }
                    try body(line, String(f[0]).trimmingCharacters(in: .whitespaces), String(f[1]).trimmingCharacters(in: .whitespaces))
                }
            }
        }
        try each("\(prefix)_item_map.txt") { line, name, id in
            guard let i = Int(id) else { throw DataError.badNumber(file: "\(prefix)_item_map.txt", line: line, column: "item id", value: id) }
            if (1...n).contains(i) { ds.itemTitles[i] = name }
        }
        try each("\(prefix)_item_cate.txt") { line, id, cate in
            guard let i = Int(id) else { throw DataError.badNumber(file: "\(prefix)_item_cate.txt", line: line, column: "item id", value: id) }
            if (1...n).contains(i), !cate.isEmpty { ds.itemCategories[i] = [cate] }
        }
    }
}
