import Foundation
import Re4Core

/// Each variant against its own backbone's Base, paired over the same test
/// users and seeds (`Comparison`; docs/protocol.md, "Comparing runs").
extension Reproduction {
    /// Each backbone's Base and + Re4 variants; `key` "" is the `re4` encoder,
    /// whose Base is also the baseline of the ablations.
    public static let backbones: [(key: String, name: String, base: String, re4: String)] = [
        ("", "", "base", "re4"), ("sa", "ComiRec-SA", "sa-base", "sa-re4"), ("dr", "ComiRec-DR", "dr-base", "dr-re4"),
        ("std01", "N(0, 0.1²) start", "std01-base", "std01-re4"),
    ]

    /// Which variant each variant is paired with, in the order of the paired
    /// sections. A variant's first baseline is its own backbone's Base (the
    /// results table's Δ column); REMI's runs are also paired with Re4 on the
    /// same backbone (a second column). The N(0, 0.1²) Base is paired with the
    /// authors' N(0, 1) Base (what the start alone does), its Re4 with it.
    public static let comparisons: [(variant: String, baseline: String)] = [
        ("re4", "base"), ("noct", "base"), ("noatt", "base"), ("nocs", "base"),
        ("sa-re4", "sa-base"), ("dr-re4", "dr-base"),
        ("std01-base", "base"), ("std01-re4", "std01-base"),
        ("sa-remi", "sa-base"), ("sa-remi", "sa-re4"),
        ("dr-remi", "dr-base"), ("dr-remi", "dr-re4"),
        ("dr-re4-remi", "dr-base"), ("dr-re4-remi", "dr-re4"),
    ]

    /// The variant a variant's results-table Δ is against (nil for a Base of a backbone).
    public static func baseline(of variant: String) -> String? {
        comparisons.first { $0.variant == variant }?.baseline
    }

    public struct Paired: Sendable {
        public var variant: String
        public var baseline: String
        /// Seeds both have, in order; seeds pair by number.
        public var seeds: [Int]
        public var result: Comparison.Result
        /// The row of `metric`, if tested.
        public func row(_ metric: String) -> Comparison.Row? { result.rows.first { $0.metric == metric } }
        /// Whether this is the variant's first comparison (with its backbone's Base).
        public var isPrimary: Bool { Reproduction.baseline(of: variant) == baseline }
    }

    /// Every test user's metrics (`tableMetrics`) for one model: user id → metric → value.
    public static func perUserTest(model: MultiInterestModel, dataset: Dataset, threads: Int) -> [String: [String: Double]] {
        let users = dataset.users(in: .test)
        let rows = Evaluator.evaluateKeepingUsers(model: model, dataset: dataset, users: users, threads: threads).perUser
        let names = RankingMetrics.names()
        let wanted = tableMetrics.map { m in (m.key, names.firstIndex(of: m.key)!) }
        var out: [String: [String: Double]] = [:]
        for (u, r) in zip(users, rows) { out[dataset.userIDs[u]] = Dictionary(uniqueKeysWithValues: wanted.map { ($0.0, r[$0.1]) }) }
        return out
    }

    /// A run's per-user test metrics (`tableMetrics`) from the best epoch's
    /// per-user file (`Run.bestPerUser`), each metric required for every user.
    public static func perUserTest(file: String) throws -> [String: [String: Double]] {
        let (names, values) = try Comparison.read(file, split: "test")
        let keys = tableMetrics.map(\.key)
        if let missing = keys.first(where: { !names.contains($0) }) {
            throw VizError.badInput("\(file): no \(missing) column; write it with re4 evaluate --per-user (cut-offs 20,50)")
        }
        return try values.mapValues { row in
            try Dictionary(uniqueKeysWithValues: keys.map { k in
                guard let v = row[k] else { throw VizError.badInput("\(file): a user has no \(k) value") }
                return (k, v)
            })
        }
    }

    /// Paired comparisons of every variant with seeds in common with its
    /// baseline, on the runs' best checkpoints. `perUser` gives a run's
    /// per-user test metrics (evaluated once per run by the caller).
    public static func pairedComparisons(_ runs: [Run], perUser: (Run) throws -> [String: [String: Double]],
                                         resamples: Int = 10_000, seed: UInt64 = 42) throws -> [Paired] {
        var out: [Paired] = []
        for (v, b) in comparisons {
            let seeds = Set(runs.filter { $0.variant == v }.map(\.seed)).intersection(runs.filter { $0.variant == b }.map(\.seed)).sorted()
            guard !seeds.isEmpty else { continue }
            func tables(_ variant: String) throws -> [[String: [String: Double]]] {
                try seeds.map { s in try perUser(runs.first { $0.variant == variant && $0.seed == s }!) }
            }
            let label = { (k: String) in variants.first { $0.key == k }!.label }
            let r = try Comparison.run(a: tables(b), b: tables(v), metrics: tableMetrics.map(\.key), labels: (label(b), label(v)),
                                       resamples: resamples, seed: seed)
            out.append(Paired(variant: v, baseline: b, seeds: seeds, result: r))
        }
        return out
    }

    /// A results-table cell: Δ with its interval (two-level over seeds and users
    /// when there are several seeds) and the Holm-adjusted Wilcoxon p.
    static func pairedCell(_ p: Paired?, _ metric: String) -> String {
        guard let p, let r = p.row(metric) else { return "" }
        let ci = r.hierarchical ?? r.bootstrap
        return String(format: "%+.4f [%+.4f, %+.4f] p %@", r.difference, ci.low, ci.high, pText(r.holm))
    }

    /// A p-value in a table cell: three decimals, or one significant digit
    /// with an exponent below 0.001 (never "0.000").
    static func pText(_ p: Double) -> String {
        p < 1e-3 ? String(format: "%.0e", p) : String(format: "%.3f", p)
    }

    /// One section per comparison: the full table of `Comparison.markdown`.
    public static func pairedMarkdown(_ paired: [Paired]) -> String {
        paired.map { p in
            "### \(p.result.labels.1) against \(p.result.labels.0) (seeds \(p.seeds.map(String.init).joined(separator: ", ")))\n\n"
                + Comparison.markdown(p.result)
        }.joined(separator: "\n")
    }
}
