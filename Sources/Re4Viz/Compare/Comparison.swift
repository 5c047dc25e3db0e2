import Foundation
import PairedStats
import Re4Core

/// `re4-viz compare`: two models on the same users, from the per-user CSVs of
/// `re4 evaluate --per-user` (one per seed), with paired tests
/// (`PairedTests`; docs/protocol.md § comparing runs). Seeds pair by order:
/// A's first file with B's first. Users pair by id, and only users in every
/// file are used. The CSVs of `re4 train --per-user-log` (valid and test users
/// in one file) and `re4-viz distinct --per-user` (a statistic can be
/// undefined for a user: an empty cell) are read too: rows of another split
/// than `split` are skipped, and a metric is tested over the users that have
/// it in every file.
public enum Comparison {
    public struct Row: Sendable {
        public var metric: String
        public var meanA: Double, meanB: Double
        /// Mean of B − A over users (each user's value averaged over seeds first).
        public var difference: Double
        public var bootstrap: (low: Double, high: Double)
        /// Seeds, then users, resampled (nil with one seed).
        public var hierarchical: (low: Double, high: Double)?
        public var wilcoxon: PairedTests.Wilcoxon
        public var holm: Double
        public var dz: Double
        /// Paired t over the seeds' means (nil with one seed).
        public var seedT: PairedTests.TTest?
        /// Users with this metric in every file.
        public var users = 0
    }

    public struct Result: Sendable {
        public var rows: [Row]
        public var users: Int
        public var seeds: Int
        public var labels: (String, String)
    }

    /// Per-user values from one CSV: user → metric → value.
    public static func read(_ path: String, split: String? = "test") throws -> (metrics: [String], values: [String: [String: Double]]) {
        let data = try readFile(path)
        var header: [String] = [], out: [String: [String: Double]] = [:]
        try data.withUnsafeBytes { raw in
            try DelimitedText(delimiter: ",", quotes: true).forEachRow(in: raw) { line, f in
                if header.isEmpty {
                    header = f.map(String.init)
                    guard header.first == "user" else { throw VizError.badInput("\(path): not a per-user CSV of `re4 evaluate --per-user` (its first column is not 'user')") }
                    return
                }
                guard f.count == header.count else { throw VizError.badInput("\(path):\(line): \(f.count) fields, the header has \(header.count)") }
                if let split, header.count > 1, header[1] == "split", f[1] != split { return }
                var row: [String: Double] = [:]
                for (i, name) in header.enumerated() where i >= 2 && !f[i].isEmpty {
                    guard let v = Double(f[i]), v.isFinite else { throw VizError.badInput("\(path):\(line): \(name) '\(f[i])' is not a number") }
                    row[name] = v
                }
                let user = String(f[0])
                guard out[user] == nil else { throw VizError.badInput("\(path):\(line): user '\(user)' appears twice") }
                out[user] = row
            }
        }
        guard !out.isEmpty else { throw VizError.badInput("\(path): no users" + (split.map { " of the \($0) split (--split chooses another)" } ?? "")) }
        return (Array(header.dropFirst(2)), out)
    }

    public static func run(a: [String], b: [String], metrics wanted: [String]?, labels: (String, String) = ("A", "B"),
                           resamples: Int = 10_000, seed: UInt64 = 42, split: String? = "test") throws -> Result {
        guard !a.isEmpty, a.count == b.count else {
            throw VizError.badInput("give the same number of per-user CSVs for both sides (one per seed), got \(a.count) and \(b.count)")
        }
        let ra = try a.map { try read($0, split: split) }, rb = try b.map { try read($0, split: split) }
        let common = (ra + rb).map { Set($0.metrics) }.reduce(Set(ra[0].metrics)) { $0.intersection($1) }
        let metrics = try (wanted ?? ra[0].metrics.filter(common.contains)).map { m -> String in
            guard common.contains(m) else { throw VizError.badInput("metric '\(m)' is not in every file (they share: \(ra[0].metrics.filter(common.contains).joined(separator: ", ")))") }
            return m
        }
        return try run(a: ra.map(\.values), b: rb.map(\.values), metrics: metrics, labels: labels, resamples: resamples, seed: seed)
    }

    /// The same from per-user values in memory (user → metric → value), one dictionary per seed.
    public static func run(a ra: [[String: [String: Double]]], b rb: [[String: [String: Double]]], metrics: [String],
                           labels: (String, String) = ("A", "B"), resamples: Int = 10_000, seed: UInt64 = 42) throws -> Result {
        guard !ra.isEmpty, ra.count == rb.count else {
            throw VizError.badInput("give the same number of per-user tables for both sides (one per seed), got \(ra.count) and \(rb.count)")
        }
        let users = (ra + rb).map { Set($0.keys) }.reduce(Set(ra[0].keys)) { $0.intersection($1) }.sorted()
        guard users.count >= 2 else { throw VizError.badInput("the files share \(users.count) user(s); compare evaluations of the same split and data") }
        var rows: [Row] = []
        for m in metrics {
            let users = users.filter { u in (ra + rb).allSatisfy { $0[u]![m] != nil } }
            guard users.count >= 2 else { throw VizError.badInput("'\(m)' is defined for \(users.count) shared user(s); a paired test needs at least 2") }
            // per seed s, per user: B − A
            let perSeed = zip(ra, rb).map { x, y in users.map { y[$0]![m]! - x[$0]![m]! } }
            let perUser = users.indices.map { u in PairedTests.mean(perSeed.map { $0[u] }) }
            let meanA = PairedTests.mean(ra.map { r in PairedTests.mean(users.map { r[$0]![m]! }) })
            let meanB = PairedTests.mean(rb.map { r in PairedTests.mean(users.map { r[$0]![m]! }) })
            rows.append(Row(metric: m, meanA: meanA, meanB: meanB, difference: PairedTests.mean(perUser),
                            bootstrap: PairedTests.bootstrap(perUser, resamples: resamples, seed: seed),
                            hierarchical: perSeed.count > 1 ? PairedTests.hierarchicalBootstrap(perSeed, resamples: resamples, seed: seed) : nil,
                            wilcoxon: PairedTests.wilcoxon(perUser), holm: 1, dz: PairedTests.dz(perUser),
                            seedT: perSeed.count > 1 ? PairedTests.pairedT(perSeed.map(PairedTests.mean)) : nil, users: users.count))
        }
        let adjusted = PairedTests.holm(rows.map(\.wilcoxon.p))
        for i in rows.indices { rows[i].holm = adjusted[i] }
        return Result(rows: rows, users: users.count, seeds: ra.count, labels: labels)
    }

    public static func markdown(_ r: Result) -> String {
        let (a, b) = r.labels
        func f(_ x: Double) -> String { String(format: "%.4f", x) }
        func p(_ x: Double) -> String { x < 1e-4 ? String(format: "%.1e", x) : String(format: "%.4f", x) }
        let counts = Set(r.rows.map(\.users))
        var s = "\(b) against \(a): \(r.users) users paired by id\(counts.count > 1 ? " (fewer where a value is undefined: column n)" : ""), \(r.seeds) seed\(r.seeds == 1 ? "" : "s") (paired by order). "
            + "Δ = mean over users of \(b) − \(a) (each user averaged over seeds); 95 % intervals by paired bootstrap over users"
            + (r.seeds > 1 ? " and by a two-level bootstrap (seeds, then users)" : "")
            + "; Wilcoxon signed-rank (two-sided, normal approximation, zeros dropped) with Holm's adjustment over the metrics; d_z = mean/sd of the differences"
            + (r.seeds > 1 ? "; t = paired t-test over the seeds' means" : "") + ".\n\n"
        let n = counts.count > 1
        s += "| metric |" + (n ? " n |" : "") + " \(a) | \(b) | Δ | 95 % CI (users) |" + (r.seeds > 1 ? " 95 % CI (seeds, users) |" : "") + " Wilcoxon p | Holm p | d_z |" + (r.seeds > 1 ? " seed t p |" : "") + "\n"
        s += "|---|" + (n ? "---|" : "") + "---|---|---|---|" + (r.seeds > 1 ? "---|" : "") + "---|---|---|" + (r.seeds > 1 ? "---|" : "") + "\n"
        for x in r.rows {
            s += "| \(x.metric) |" + (n ? " \(x.users) |" : "") + " \(f(x.meanA)) | \(f(x.meanB)) | \(String(format: "%+.4f", x.difference)) | [\(f(x.bootstrap.low)), \(f(x.bootstrap.high))] |"
            if let h = x.hierarchical { s += " [\(f(h.low)), \(f(h.high))] |" }
            s += " \(p(x.wilcoxon.p)) | \(p(x.holm)) | \(x.dz.isFinite ? String(format: "%.3f", x.dz) : "–") |"
            if r.seeds > 1 { s += " \(x.seedT.map { $0.t.isFinite ? p($0.p) : "– (equal Δ)" } ?? "–") |" }
            s += "\n"
        }
        if r.rows.contains(where: { !$0.dz.isFinite }) {
            s += "\nd_z –: every user's difference is the same (no spread), so d_z = mean/sd is undefined.\n"
        }
        if r.rows.contains(where: { $0.seedT.map { !$0.t.isFinite } ?? false }) {
            s += "\n– (equal Δ): every seed's mean difference is the same, so the seeds' t statistic has no spread to divide by and no p-value; read the two intervals instead.\n"
        }
        return s
    }
}
