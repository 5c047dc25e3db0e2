import Foundation

/// One line of the per-epoch log (docs/model.md §6): epoch, wall time, throughput, each
/// loss component, and valid/test metrics. Written as JSONL and as CSV with the
/// same columns, in a fixed order.
public struct EpochRecord: Sendable, Equatable {
    public var epoch: Int
    public var seconds: Double
    public var examplesPerSecond: Double
    public var loss: LossBreakdown
    public var valid: [String: Double]
    public var test: [String: Double]
    /// Columns beyond the fixed ones, present only in runs that asked for them:
    /// `loss_rr` (REMI's routing regularisation) and the `dist_*` statistics of
    /// `--log-distinctness`. Written after the fixed columns in name order.
    public var extra: [String: Double] = [:]
    /// The prefixes of the columns read back into `extra`.
    public static let extraPrefixes = ["loss_rr", "dist_"]

    public init(epoch: Int, seconds: Double, examplesPerSecond: Double, loss: LossBreakdown,
                valid: [String: Double], test: [String: Double]) {
        self.epoch = epoch; self.seconds = seconds; self.examplesPerSecond = examplesPerSecond
        self.loss = loss; self.valid = valid; self.test = test
    }

    /// The largest epoch number a log may hold (`Limits.maxEpochs`).
    public static let largestEpoch = 100_000

    /// Column names, in order.
    public static var columns: [String] {
        ["epoch", "seconds", "examples_per_s", "loss", "loss_rec", "loss_att", "loss_ct", "loss_cs"]
            + RankingMetrics.names().map { "valid_" + $0 } + RankingMetrics.names().map { "test_" + $0 }
    }

    public var values: [Double] {
        [Double(epoch), seconds, examplesPerSecond, loss.total, loss.rec, loss.att, loss.ct, loss.cs]
            + RankingMetrics.names().map { valid[$0] ?? .nan } + RankingMetrics.names().map { test[$0] ?? .nan }
    }

    static func format(_ v: Double, column: String) -> String {
        if column == "epoch" { return String(Int(v)) }
        if !v.isFinite { return "null" }
        return String(format: "%.6g", v)
    }

    /// Why a line is not a JSON object, in words a person can act on.
    static func whyNotJSON(_ line: String) -> String {
        let t = line.trimmingCharacters(in: .whitespaces)
        guard t.hasPrefix("{") else { return "not a JSON object (it starts with '\(t.prefix(12))')" }
        for bad in ["NaN", "Infinity"] where t.range(of: "[:\\[,]\\s*-?" + bad, options: .regularExpression) != nil {
            return "holds \(bad), which JSON does not allow; write null for a missing value"
        }
        return t.hasSuffix("}") ? "not a JSON object (invalid JSON between the braces)" : "not a JSON object (cut short: no closing brace)"
    }

    /// This record's columns: the fixed ones, then its extra ones by name.
    public var allColumns: [String] { Self.columns + extra.keys.sorted() }

    public var jsonLine: String {
        let parts = zip(allColumns, values + extra.keys.sorted().map { extra[$0]! }).map { "\"\($0)\":\(Self.format($1, column: $0))" }
        return "{" + parts.joined(separator: ",") + "}"
    }

    public var csvRow: String { csvRow(extraColumns: extra.keys.sorted()) }

    /// The CSV row under a header whose extra columns are `extraColumns` (empty where this record has none).
    public func csvRow(extraColumns: [String]) -> String {
        (zip(Self.columns, values).map { Self.format($1, column: $0).replacingOccurrences(of: "null", with: "") }
         + extraColumns.map { c in extra[c].map { Self.format($0, column: c).replacingOccurrences(of: "null", with: "") } ?? "" })
            .joined(separator: ",")
    }

    /// Parses a JSONL line written by `jsonLine` (or any JSON object with these keys).
    public static func parse(jsonLine: String, source: String, line: Int) throws -> EpochRecord {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(jsonLine.utf8)) as? [String: Any] else {
            throw LogError.malformed(file: source, line: line, what: whyNotJSON(jsonLine))
        }
        func num(_ k: String) -> Double? { (obj[k] as? NSNumber)?.doubleValue }
        guard let e = num("epoch") else { throw LogError.malformed(file: source, line: line, what: "no 'epoch'") }
        // Checked before the conversion: Int(_:) traps on a huge or fractional value (found by the files fuzzer).
        guard e.isFinite, e >= 0, e <= Double(largestEpoch), e == e.rounded() else {
            throw LogError.malformed(file: source, line: line, what: "'epoch' = \(e) is not an epoch number (a whole number from 0 to \(largestEpoch))")
        }
        var l = LossBreakdown()
        l.total = num("loss") ?? .nan; l.rec = num("loss_rec") ?? .nan
        l.att = num("loss_att") ?? 0; l.ct = num("loss_ct") ?? 0; l.cs = num("loss_cs") ?? 0
        var valid: [String: Double] = [:], test: [String: Double] = [:]
        for n in RankingMetrics.names() {
            if let v = num("valid_" + n) { valid[n] = v }
            if let v = num("test_" + n) { test[n] = v }
        }
        var r = EpochRecord(epoch: Int(e), seconds: num("seconds") ?? 0, examplesPerSecond: num("examples_per_s") ?? 0,
                            loss: l, valid: valid, test: test)
        for (k, v) in obj where extraPrefixes.contains(where: { k.hasPrefix($0) }) {
            if let x = (v as? NSNumber)?.doubleValue { r.extra[k] = x }
        }
        if let rr = r.extra["loss_rr"] { r.loss.rr = rr }
        return r
    }
}

public enum EpochLog {
    /// Writes both files atomically (the whole log each epoch: it is small).
    public static func write(_ records: [EpochRecord], jsonl: String, csv: String) throws {
        try AtomicFile.write(records.map { $0.jsonLine + "\n" }.joined(), to: jsonl)
        let extra = Set(records.flatMap { $0.extra.keys }).sorted()
        try AtomicFile.write((EpochRecord.columns + extra).joined(separator: ",") + "\n"
                             + records.map { $0.csvRow(extraColumns: extra) + "\n" }.joined(), to: csv)
    }

    /// Reads a per-epoch log, JSONL or CSV (by extension; CSV must have a header row).
    public static func read(path: String) throws -> [EpochRecord] {
        if path.hasSuffix(".csv") { return try read(csv: path) }
        return try read(jsonl: path)
    }

    public static func read(csv path: String) throws -> [EpochRecord] {
        let data = try readFile(path)
        var header: [String] = []
        var out: [EpochRecord] = []
        try data.withUnsafeBytes { raw in
            try DelimitedText(delimiter: ",", quotes: true).forEachRow(in: raw) { line, f in
                if header.isEmpty { header = f.map(String.init); return }
                guard f.count == header.count else {
                    throw LogError.malformed(file: path, line: line, what: "\(f.count) fields but the header has \(header.count)")
                }
                var obj: [String: Any] = [:]
                for (k, v) in zip(header, f) {
                    if v.isEmpty { continue }
                    guard let d = Double(v) else { throw LogError.malformed(file: path, line: line, what: "'\(k)' = '\(v.prefix(20))' is not a number") }
                    if d.isFinite { obj[k] = d }   // nan/inf: a missing value, as null is in JSONL
                }
                let json = try JSONSerialization.data(withJSONObject: obj)
                out.append(try EpochRecord.parse(jsonLine: String(decoding: json, as: UTF8.self), source: path, line: line))
            }
        }
        if header.isEmpty { throw DataError.empty(file: path) }
        return out
    }

    public static func read(jsonl path: String) throws -> [EpochRecord] {
        let text = DelimitedText.droppingBOM(String(decoding: try readFile(path), as: UTF8.self))
        var out: [EpochRecord] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            out.append(try EpochRecord.parse(jsonLine: String(line), source: path, line: i + 1))
        }
        return out
    }
}

public enum LogError: LocalizedError, Equatable {
    case malformed(file: String, line: Int, what: String)
    public var errorDescription: String? {
        switch self {
        case .malformed(let f, let l, let w): return "\(f):\(l): not a per-epoch log line: \(w)"
        }
    }
}
