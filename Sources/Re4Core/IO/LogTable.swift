import Foundation

/// Columns of other tools' logs, for `re4-viz curves --x COL --y COL,…`
/// (docs/interop.md § logs): a CSV with a header row (PyTorch Lightning's
/// `metrics.csv`, whose rows leave the columns they do not log empty; the
/// `Wall time,Step,Value` CSV TensorBoard exports), JSON lines of objects, or a
/// TensorBoard event file (`events.out.tfevents.*`, tags as columns, x =
/// `step` or `wall_time`).
public enum LogTable {
    public struct Series: Sendable, Equatable {
        public var name: String
        public var x: [Double]
        public var y: [Double]
    }

    public enum Kind: Sendable { case csv, jsonl, events }

    /// What to draw when the x column repeats within a column (Lightning's
    /// `train_loss_step`: several rows per epoch): each x's last row or their mean.
    public enum PerEpoch: String, Sendable, CaseIterable { case last, mean }

    public static func kind(of path: String) -> Kind {
        let name = URL(fileURLWithPath: path).lastPathComponent
        if name.contains("tfevents") { return .events }
        return name.hasSuffix(".jsonl") || name.hasSuffix(".json") || name.hasSuffix(".ndjson") ? .jsonl : .csv
    }

    /// The x column given, or the first of epoch, step, Step present. `notes`
    /// say what was done that changes what is drawn (rows averaged per x, a
    /// resumed event file's steps written twice).
    public static func read(path: String, x: String?, y: [String], perEpoch: PerEpoch? = nil) throws -> (x: String, series: [Series], notes: [String]) {
        switch kind(of: path) {
        case .events:
            let merged = try TensorBoardRuns.merge(TensorBoardRuns.Run(name: URL(fileURLWithPath: path).lastPathComponent, files: [path]))
            let (xName, series) = try events(merged, source: path, x: x, y: y)
            return (xName, series, merged.notes)
        case .csv, .jsonl:
            let (columns, rows) = try kind(of: path) == .csv ? csvRows(path) : jsonRows(path)
            guard let xName = x ?? ["epoch", "step", "Step"].first(where: columns.contains) else {
                throw LogTableError.bad(file: path, what: "no epoch or step column; name the x column with --x (columns: \(list(columns)))")
            }
            guard columns.contains(xName) else { throw LogTableError.bad(file: path, what: "no column '\(xName)' for --x\(nearest(xName, columns))") }
            guard !y.isEmpty else { throw LogTableError.bad(file: path, what: "name the columns to draw with --y (columns: \(list(columns)))") }
            for c in y where !columns.contains(c) { throw LogTableError.bad(file: path, what: "no column '\(c)' for --y\(nearest(c, columns))") }
            var notes: [String] = []
            let series = try y.map { c -> Series in
                var s = Series(name: c, x: [], y: [])
                for r in rows { if let a = r[xName], let b = r[c] { s.x.append(a); s.y.append(b) } }
                let distinct = Set(s.x).count
                guard distinct < s.x.count else { return s }
                guard let perEpoch else {
                    throw LogTableError.bad(file: path, what: "'\(c)' has \(s.x.count) rows for \(distinct) values of \(xName) (rows logged more often than once per \(xName)); give --per-epoch mean or --per-epoch last, or --x step to draw every row")
                }
                notes.append("\(URL(fileURLWithPath: path).lastPathComponent): '\(c)' has \(s.x.count) rows for \(distinct) values of \(xName); drawn: the \(perEpoch == .mean ? "mean of each" : "last row of each") \(xName) (--per-epoch \(perEpoch.rawValue))")
                return aggregate(s, perEpoch)
            }
            return (xName, series, notes)
        }
    }

    /// One point per x: the mean of its rows, or its last row (in file order).
    static func aggregate(_ s: Series, _ rule: PerEpoch) -> Series {
        var order: [Double] = [], sums: [Double: (Double, Int)] = [:], last: [Double: Double] = [:]
        for (x, y) in zip(s.x, s.y) {
            if sums[x] == nil { order.append(x) }
            let a = sums[x] ?? (0, 0); sums[x] = (a.0 + y, a.1 + 1); last[x] = y
        }
        return Series(name: s.name, x: order, y: order.map { rule == .mean ? sums[$0]!.0 / Double(sums[$0]!.1) : last[$0]! })
    }

    /// ", did you mean a, b?" with the names closest to `name` (edit distance), or the column list.
    static func nearest(_ name: String, _ columns: [String]) -> String {
        func distance(_ a: String, _ b: String) -> Int {
            let a = Array(a.lowercased()), b = Array(b.lowercased())
            var row = Array(0...b.count)
            for i in 1...max(1, a.count) where !a.isEmpty {
                var prev = row[0]; row[0] = i
                for j in 1...max(1, b.count) where !b.isEmpty {
                    let cur = row[j]
                    let substitute: Int = prev + (a[i - 1] == b[j - 1] ? 0 : 1)
                    let insertOrDelete: Int = Swift.min(row[j] + 1, row[j - 1] + 1)
                    row[j] = Swift.min(insertOrDelete, substitute)
                    prev = cur
                }
            }
            return a.isEmpty ? b.count : (b.isEmpty ? a.count : row[b.count])
        }
        let scored: [(name: String, d: Int)] = columns.map { (name: $0, d: distance(name, $0)) }
        let ranked = scored.sorted { (p: (name: String, d: Int), q: (name: String, d: Int)) -> Bool in p.d != q.d ? p.d < q.d : p.name < q.name }
        let close: [String] = ranked.prefix(3).map { $0.name }
        return close.isEmpty ? "" : " (nearest: \(close.joined(separator: ", ")); all: \(list(columns)))"
    }

    static func list(_ c: [String]) -> String { c.prefix(30).joined(separator: ", ") + (c.count > 30 ? ", …" : "") }

    /// Header names and, per row, the cells that are numbers (empty cells left out; other text refused).
    static func csvRows(_ path: String) throws -> ([String], [[String: Double]]) {
        let data = try readFile(path)
        var header: [String] = [], rows: [[String: Double]] = []
        try data.withUnsafeBytes { raw in
            try DelimitedText(delimiter: ",", quotes: true).forEachRow(in: raw) { line, f in
                if header.isEmpty { header = f.map { $0.trimmingCharacters(in: .whitespaces) }; return }
                guard f.count == header.count else {
                    throw LogTableError.bad(file: path, what: "line \(line) has \(f.count) fields but the header has \(header.count); fix or remove that row (a row is never dropped silently)")
                }
                var r: [String: Double] = [:]
                for (i, cell) in f.enumerated() where i < header.count {
                    let t = cell.trimmingCharacters(in: .whitespaces)
                    if t.isEmpty { continue }
                    guard let v = Double(t) else {
                        throw LogTableError.bad(file: path, what: "line \(line), column \(header[i]): '\(t.prefix(40))' is not a number")
                    }
                    r[header[i]] = v
                }
                rows.append(r)
            }
        }
        guard !header.isEmpty else { throw LogTableError.bad(file: path, what: "the file is empty") }
        return (header, rows)
    }

    static func jsonRows(_ path: String) throws -> ([String], [[String: Double]]) {
        let text = DelimitedText.droppingBOM(String(decoding: try readFile(path), as: UTF8.self))
        var columns: [String] = [], rows: [[String: Double]] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw LogTableError.bad(file: path, what: "line \(i + 1) is not a JSON object")
            }
            var r: [String: Double] = [:]
            // Nested objects by dotted path: {"valid": {"recall@50": 0.1}} → valid.recall@50.
            func add(_ prefix: String, _ o: [String: Any]) {
                for (k, v) in o {
                    let key = prefix.isEmpty ? k : prefix + "." + k
                    if let inner = v as? [String: Any] { add(key, inner); continue }
                    if !columns.contains(key) { columns.append(key) }
                    if let n = v as? NSNumber { r[key] = n.doubleValue }   // booleans read as 0 and 1
                }
            }
            add("", o)
            rows.append(r)
        }
        return (columns.sorted(), rows)
    }

    /// Series of a merged TensorBoard run (`TensorBoardRuns`).
    public static func events(_ m: TensorBoardRuns.Merged, source path: String, x: String?, y: [String]) throws -> (x: String, series: [Series]) {
        let xName = x ?? "step"
        guard xName == "step" || xName == "wall_time" else {
            throw LogTableError.bad(file: path, what: "--x for TensorBoard events is step or wall_time, not '\(xName)'")
        }
        guard !y.isEmpty else { throw LogTableError.bad(file: path, what: "name the tags to draw with --y (tags: \(list(m.order)))") }
        for t in y where m.tags[t] == nil { throw LogTableError.bad(file: path, what: "no scalar tag '\(t)'\(nearest(t, m.order))") }
        let series = y.map { t -> Series in
            let pts = m.tags[t]!
            return Series(name: t, x: pts.map { xName == "step" ? Double($0.step) : $0.wallTime }, y: pts.map(\.value))
        }
        return (xName, series)
    }
}

public enum LogTableError: LocalizedError, Equatable {
    case bad(file: String, what: String)
    public var errorDescription: String? {
        switch self { case .bad(let f, let w): return "\(f): \(w)" }
    }
}
