import Foundation
import Plot
import PairedStats
import Re4Core

/// Distinctness reports side by side: paired differences of the same users, and the
/// tables and per-user files `re4-viz distinct` writes.
extension Distinctness {
    /// One statistic of a model against the first: the paired difference over
    /// the users both define it for, its seeded 95 % bootstrap interval, the
    /// Wilcoxon signed-rank p, and Holm's adjustment over the statistics compared.
    public struct PairedDifference: Sendable, Equatable {
        public var key: String
        public var difference: Double
        public var low: Double
        public var high: Double
        public var p: Double
        public var holm: Double
        public var users: Int
    }

    /// Statistics identical by construction for every one of `reports` (per-user
    /// values equal, e.g. cos_Z ≡ cos_U for models without a separate Z), as
    /// (left out, same as); empty when a report has no per-user values.
    public static func duplicateKeys(_ reports: [Report]) -> [(String, String)] {
        guard !reports.isEmpty, reports.allSatisfy({ $0.perUser != nil }) else { return [] }
        let same = { (v: [Double], w: [Double]) in v.count == w.count && zip(v, w).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) } }
        var kept: [String] = [], dups: [(String, String)] = []
        for (key, _) in definitions {
            guard reports.allSatisfy({ $0.perUser![key].map { $0.contains { !$0.isNaN } } ?? false }) else { continue }
            if let twin = kept.first(where: { k in reports.allSatisfy { same($0.perUser![k]!, $0.perUser![key]!) } }) { dups.append((key, twin)); continue }
            kept.append(key)
        }
        return dups
    }

    /// The paired differences of `b` against `a` (same users in the same order).
    /// Statistics that are identical by construction for both models (e.g.
    /// cos_Z ≡ cos_U for a model whose Z is its U) are left out of the family
    /// and named in `duplicates` as (left out, same as).
    public static func paired(_ a: Report, _ b: Report, seed: UInt64, resamples: Int = 2000)
        -> (rows: [PairedDifference], duplicates: [(String, String)])? {
        guard let pa = a.perUser, let pb = b.perUser, let na = pa["cos_U"]?.count, na == pb["cos_U"]?.count else { return nil }
        var rows: [PairedDifference] = [], dups: [(String, String)] = [], kept: [String] = []
        for (key, _) in definitions {
            guard let x = pa[key], let y = pb[key], x.count == na, y.count == na else { continue }
            let same = { (v: [Double], w: [Double]) in zip(v, w).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) } }
            if let twin = kept.first(where: { same(pa[$0]!, x) && same(pb[$0]!, y) }) { dups.append((key, twin)); continue }
            let d = zip(x, y).compactMap { $0.isFinite && $1.isFinite ? $1 - $0 : nil }
            guard d.count >= 2 else { continue }
            kept.append(key)
            let ci = PairedTests.bootstrap(d, resamples: resamples, seed: seed)
            rows.append(PairedDifference(key: key, difference: PairedTests.mean(d), low: ci.low, high: ci.high,
                                         p: PairedTests.wilcoxon(d).p, holm: 1, users: d.count))
        }
        let adjusted = PairedTests.holm(rows.map(\.p))
        for i in rows.indices { rows[i].holm = adjusted[i] }
        return (rows, dups)
    }

    /// Renders reports side by side; with two or more, differences against the first
    /// and whether the 95% intervals overlap.
    /// Output formats of `re4-viz distinct`.
    public enum Format: String, Sendable, CaseIterable { case table, json, csv, markdown }

    public static func format(_ reports: [Report], as format: Format, seed: UInt64 = 42) -> String {
        // Every model against the first, user by user (they are measured on the same users).
        let pairs = reports.dropFirst().map { paired(reports[0], $0, seed: seed) }
        let dropped = Set(pairs.compactMap { $0 }.flatMap { $0.duplicates.map(\.0) })
        let allDuplicate = !pairs.isEmpty && pairs.allSatisfy { p in p.map { Set($0.duplicates.map(\.0)) == dropped } ?? false }
        let keys = definitions.map(\.0).filter { k in reports.contains { $0.value(k) != nil } && !(allDuplicate && dropped.contains(k)) }
        func cell(_ s: Statistic?) -> String { s.map { String(format: "%.4f [%.4f, %.4f]", $0.mean, $0.low, $0.high) } ?? "-" }
        func pv(_ x: Double) -> String { x < 1e-4 ? String(format: "%.0e", x) : String(format: "%.4f", x) }
        func diff(_ i: Int, _ k: String) -> (String, String) {
            guard let p = pairs[i - 1], let r = p.rows.first(where: { $0.key == k }) else {
                if let a = reports[0].value(k), let b = reports[i].value(k) { return (String(format: "%+.4f", b.mean - a.mean), "- (not paired)") }
                return ("-", "-")
            }
            return (String(format: "%+.4f [%+.4f, %+.4f]", r.difference, r.low, r.high), pv(r.holm))
        }
        let note: String = {
            var lines: [String] = []
            if reports.count > 1 {
                lines.append("Δ: the mean over users of (model − first model), paired user by user, with its 95 % bootstrap interval; Holm p: Wilcoxon signed-rank, Holm-adjusted over the statistics compared.")
            }
            if allDuplicate, !dropped.isEmpty {
                let twins = pairs.compactMap { $0 }.first!.duplicates
                lines.append("Reported once (identical by construction for these models, left out of Holm's family): " + twins.map { "\($0.0) = \($0.1)" }.joined(separator: ", ") + ".")
            }
            return lines.joined(separator: "\n")
        }()
        let names = reports.map(\.checkpoint)   // the model's label (`ModelInput`)
        switch format {
        case .json:
            let items = reports.indices.map { i -> String in
                let r = reports[i]
                var s = "{\"checkpoint\":\(jsonQuote(r.checkpoint)),\"statistics\":{" + r.statistics.map {
                    "\(jsonQuote($0.key)):{\"mean\":\($0.mean),\"ci95\":[\($0.low),\($0.high)],\"users\":\($0.users)}"
                }.joined(separator: ",") + "}"
                if i > 0, let p = pairs[i - 1] {
                    s += ",\"paired_vs_first\":{" + p.rows.map {
                        "\(jsonQuote($0.key)):{\"difference\":\($0.difference),\"ci95\":[\($0.low),\($0.high)],\"wilcoxon_p\":\($0.p),\"holm_p\":\($0.holm),\"users\":\($0.users)}"
                    }.joined(separator: ",") + "}"
                }
                return s + "}"
            }
            return "[" + items.joined(separator: ",") + "]"
        case .csv:
            var lines = ["checkpoint,statistic,mean,ci_low,ci_high,users,difference_vs_first,diff_ci_low,diff_ci_high,wilcoxon_p,holm_p"]
            for (i, r) in reports.enumerated() { for s in r.statistics {
                let d = i > 0 ? pairs[i - 1]?.rows.first { $0.key == s.key } : nil
                lines.append(CSV.row([r.checkpoint, s.key, "\(s.mean)", "\(s.low)", "\(s.high)", "\(s.users)"]
                                     + (d.map { ["\($0.difference)", "\($0.low)", "\($0.high)", "\($0.p)", "\($0.holm)"] } ?? ["", "", "", "", ""])))
            } }
            return lines.joined(separator: "\n")
        case .markdown:
            var header = "| statistic | " + names.joined(separator: " | ")
            var sep = "|---|" + names.map { _ in "---|" }.joined()
            if reports.count > 1 { for n in names.dropFirst() { header += " | Δ \(n) [95 % CI] | Holm p" }; sep += names.dropFirst().map { _ in "---|---|" }.joined() }
            var lines = [header + " |", sep]
            for k in keys {
                var row = "| \(k) | " + reports.map { cell($0.value(k)) }.joined(separator: " | ")
                for i in reports.indices.dropFirst() { let (dd, o) = diff(i, k); row += " | \(dd) | \(o)" }
                lines.append(row + " |")
            }
            return lines.joined(separator: "\n") + (note.isEmpty ? "" : "\n\n" + note)
        case .table:
            let w0 = max(22, keys.map(\.count).max() ?? 0)
            var lines = ["statistic".padding(toLength: w0, withPad: " ", startingAt: 0) + "  " + names.map { $0.padding(toLength: 30, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                + reports.indices.dropFirst().map { "  " + widen("Δ \(names[$0]) [95 % CI]", 32) + "  Holm p" }.joined()]
            for k in keys {
                var row = k.padding(toLength: w0, withPad: " ", startingAt: 0) + "  " + reports.map { cell($0.value(k)).padding(toLength: 30, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                for i in reports.indices.dropFirst() { let (dd, o) = diff(i, k); row += "  " + widen(dd, max(32, ("Δ " + names[i] + " [95 % CI]").count)) + "  " + o }
                lines.append(row)
            }
            return lines.joined(separator: "\n") + (note.isEmpty ? "" : "\n\n" + note)
        }
    }

    /// Per-user values as CSV for `re4-viz compare`: `user,split,` then every
    /// statistic in the definitions' order; an empty cell where a statistic is
    /// undefined for that user (no positives, no held-out item, no genres).
    public static func perUserCSV(_ per: [String: [Double]], dataset: Dataset, users: [Int]) -> String {
        let keys = definitions.map(\.0).filter { k in per[k]?.contains { !$0.isNaN } ?? false }
        var s = CSV.row(["user", "split"] + keys) + "\n"
        for (i, u) in users.enumerated() {
            s += CSV.row([dataset.userIDs[u], dataset.split[u].name] + keys.map { k in
                let v = per[k]![i]
                return v.isNaN ? "" : String(format: "%.6f", v)
            }) + "\n"
        }
        return s
    }

    /// `s` padded with spaces to `w` characters, never cut.
    static func widen(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }

    static func jsonQuote(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
}
