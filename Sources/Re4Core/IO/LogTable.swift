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

    public static func kind(of path: String) -> Kind {
        let name = URL(fileURLWithPath: path).lastPathComponent
        if name.contains("tfevents") { return .events }
        return name.hasSuffix(".jsonl") || name.hasSuffix(".json") || name.hasSuffix(".ndjson") ? .jsonl : .csv
    }

    /// The x column given, or the first of epoch, step, Step present.
    public static func read(path: String, x: String?, y: [String]) throws -> (x: String, series: [Series]) {
        switch kind(of: path) {
        case .events: return try events(path: path, x: x, y: y)
        case .csv, .jsonl:
            let (columns, rows) = try kind(of: path) == .csv ? csvRows(path) : jsonRows(path)
            guard let xName = x ?? ["epoch", "step", "Step"].first(where: columns.contains) else {
                throw LogTableError.bad(file: path, what: "no epoch or step column; name the x column with --x (columns: \(list(columns)))")
            }
            guard columns.contains(xName) else { throw LogTableError.bad(file: path, what: "no column '\(xName)' for --x (columns: \(list(columns)))") }
            guard !y.isEmpty else { throw LogTableError.bad(file: path, what: "name the columns to draw with --y (columns: \(list(columns)))") }
            for c in y where !columns.contains(c) { throw LogTableError.bad(file: path, what: "no column '\(c)' for --y (columns: \(list(columns)))") }
            let series = y.map { c -> Series in
                var s = Series(name: c, x: [], y: [])
                for r in rows { if let a = r[xName], let b = r[c] { s.x.append(a); s.y.append(b) } }
                return s
            }
            return (xName, series)
        }
    }

    static func list(_ c: [String]) -> String { c.prefix(30).joined(separator: ", ") + (c.count > 30 ? ", …" : "") }

    /// Header names and, per row, the cells that are numbers (empty cells left out; other text refused).
    static func csvRows(_ path: String) throws -> ([String], [[String: Double]]) {
        let data = try readFile(path)
        var header: [String] = [], rows: [[String: Double]] = []
        try data.withUnsafeBytes { raw in
            try DelimitedText(delimiter: ",", quotes: true).forEachRow(in: raw) { line, f in
                if header.isEmpty { header = f.map { $0.trimmingCharacters(in: .whitespaces) }; return }
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
        let text = String(decoding: try readFile(path), as: UTF8.self)
        var columns: [String] = [], rows: [[String: Double]] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw LogTableError.bad(file: path, what: "line \(i + 1) is not a JSON object")
            }
            var r: [String: Double] = [:]
            for (k, v) in o {
                if !columns.contains(k) { columns.append(k) }
                if let n = v as? NSNumber { r[k] = n.doubleValue }   // booleans read as 0 and 1
            }
            rows.append(r)
        }
        return (columns.sorted(), rows)
    }

    static func events(path: String, x: String?, y: [String]) throws -> (x: String, series: [Series]) {
        let scalars = try TensorBoardEvents.read(path: path)
        var tags: [String] = []
        for s in scalars where !tags.contains(s.tag) { tags.append(s.tag) }
        let xName = x ?? "step"
        guard xName == "step" || xName == "wall_time" else {
            throw LogTableError.bad(file: path, what: "--x for an event file is step or wall_time, not '\(xName)'")
        }
        guard !y.isEmpty else { throw LogTableError.bad(file: path, what: "name the tags to draw with --y (tags: \(list(tags)))") }
        for t in y where !tags.contains(t) { throw LogTableError.bad(file: path, what: "no scalar tag '\(t)' (tags: \(list(tags)))") }
        let series = y.map { t -> Series in
            let pts = scalars.filter { $0.tag == t }
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
