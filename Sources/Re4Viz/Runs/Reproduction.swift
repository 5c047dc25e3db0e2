import Foundation
import Plot
import Re4Core
import TSNE

/// The reproduction's tables and figures from a folder of finished runs.
///
/// Runs are found by name: `<prefix>-<variant>-s<seed>` (for example
/// `movielens-re4-s2`), each a `re4 train` output folder with `log.jsonl` and
/// `best.safetensors`. Every number comes from the logs and checkpoints, so the
/// same runs give the same files.
public enum Reproduction {
    /// Variants in display order: key in the folder name, label in tables and figures.
    public static let variants: [(key: String, label: String)] = [
        ("base", "Base"), ("re4", "Re4"),
        ("noct", "Re4 w/o Re-contrast"), ("noatt", "Re4 w/o Re-attend"), ("nocs", "Re4 w/o Re-construct"),
        ("sa-base", "ComiRec-SA"), ("sa-re4", "ComiRec-SA + Re4"), ("dr-base", "ComiRec-DR"), ("dr-re4", "ComiRec-DR + Re4"),
        // The interest-collapse grid (scripts/grid-collapse.txt): the `re4` encoder from
        // N(0, 0.1²) item embeddings, and REMI's losses (docs/model.md §REMI).
        ("std01-base", "Base, N(0, 0.1²) start"), ("std01-re4", "Re4, N(0, 0.1²) start"),
        ("sa-remi", "ComiRec-SA + REMI"), ("dr-remi", "ComiRec-DR + REMI"), ("dr-re4-remi", "ComiRec-DR + Re4 + REMI"),
    ]

    public struct Run: Sendable {
        public var variant: String
        public var seed: Int
        public var folder: String
        public var records: [EpochRecord]
        public var best: EpochRecord
        public var label: String { Reproduction.variants.first { $0.key == variant }?.label ?? variant }
        public var checkpoint: String { RunFolder(folder).best }
        /// Whether the folder has its best checkpoint (an archived run has it only when it was
        /// kept with `--checkpoint`: `RunArchive`).
        public var hasCheckpoint: Bool { FileManager.default.fileExists(atPath: checkpoint) }
        /// The best epoch's per-user metrics, when the folder has them (`re4 train
        /// --per-user-log`, or an archived run).
        public var bestPerUser: String? {
            let p = RunFolder(folder).perUserLog(best.epoch)
            return FileManager.default.fileExists(atPath: p) ? p : nil
        }
        /// The best validation epoch among the first `budget` epochs (all when nil).
        public func best(within budget: Int?) -> EpochRecord? { BestEpoch.best(records, within: budget) }
    }

    /// Finds `<prefix>-<variant>-s<seed>` folders under `dir` that have a log with at least one epoch.
    /// A run whose training is not over (`RunProgress`: neither its last epoch
    /// nor its patience reached) is left out with a line to `log`, unless
    /// `includeUnfinished`; then it is kept and still named in `log`.
    /// With `archive`, runs of that folder (`re4 archive`, with or without a checkpoint) are added
    /// where `dir` has no run of the same name.
    public static func discover(in dir: String, archive: String? = nil, prefix: String, includeUnfinished: Bool = false,
                                log: (String) -> Void = { _ in }) throws -> [Run] {
        var found: [String: String] = [:]   // run name → the folder that holds it
        func hasLog(_ d: String, _ n: String) -> Bool { FileManager.default.fileExists(atPath: RunFolder(d + "/" + n).logJSONL) }
        for d in [dir] + (archive.map { [$0] } ?? []) {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: d) else {
                // A clone of the repository has the archive and no runs of its own.
                if d == dir, archive != nil, !FileManager.default.fileExists(atPath: d) { log("\(d): no such folder; the archive's runs only"); continue }
                throw VizError.badInput("\(d): cannot list the runs folder; give the folder that holds the training runs")
            }
            for n in names where found[n].map({ !hasLog($0, n) }) ?? true { found[n] = d }
        }
        var runs: [Run] = [], unfinished: [String] = []
        for (name, dir) in found.sorted(by: { $0.key < $1.key }) {
            guard name.hasPrefix(prefix + "-"), let sRange = name.range(of: "-s", options: .backwards) else { continue }
            let variant = String(name[name.index(name.startIndex, offsetBy: prefix.count + 1)..<sRange.lowerBound])
            guard let seed = Int(name[sRange.upperBound...]), variants.contains(where: { $0.key == variant }) else { continue }
            let folder = dir + "/" + name, logPath = RunFolder(folder).logJSONL
            guard FileManager.default.fileExists(atPath: logPath) else { continue }
            let records = try EpochLog.read(path: logPath)
            guard let b = BestEpoch.best(records) else { throw VizError.badInput("\(logPath): no epoch with a validation Recall@50; is the run finished?") }
            let progress = try RunProgress.of(folder: RunFolder(folder), records: records)   // the log is read once
            if !progress.isFinished {
                log("\(name): \(progress.description)" + (includeUnfinished ? "; included (--include-unfinished)" : "; left out until it finishes"))
                guard includeUnfinished else { unfinished.append(name); continue }
            }
            runs.append(Run(variant: variant, seed: seed, folder: folder, records: records, best: b))
        }
        guard !runs.isEmpty else {
            if !unfinished.isEmpty {
                throw VizError.badInput("\(dir): every \(prefix) run is still training (\(unfinished.joined(separator: ", ")));"
                                        + " wait for them, resume them with re4 train --resume, or pass --include-unfinished")
            }
            throw VizError.badInput("\(dir): no runs named \(prefix)-<variant>-s<seed> with a log.jsonl (variants: "
                                    + variants.map(\.key).joined(separator: ", ") + "); train them first")
        }
        let order = Dictionary(uniqueKeysWithValues: variants.enumerated().map { ($1.key, $0) })
        return runs.sorted { (order[$0.variant]!, $0.seed) < (order[$1.variant]!, $1.seed) }
    }

    /// Mean and sample standard deviation (n − 1; 0 for one value).
    public static func meanStd(_ v: [Double]) -> (mean: Double, std: Double) {
        guard !v.isEmpty else { return (.nan, .nan) }
        let m = v.reduce(0, +) / Double(v.count)
        guard v.count > 1 else { return (m, 0) }
        let ss = v.reduce(0) { $0 + ($1 - m) * ($1 - m) }
        return (m, (ss / Double(v.count - 1)).squareRoot())
    }

    public static let tableMetrics: [(key: String, label: String)] = [
        ("recall@20", "Recall@20"), ("ndcg@20", "NDCG@20"), ("hitrate@20", "HR@20"),
        ("recall@50", "Recall@50"), ("ndcg@50", "NDCG@50"), ("hitrate@50", "HR@50"),
    ]

    /// The results table: per variant, test metrics at each run's best validation
    /// epoch, mean ± sample std over seeds; with the row of Re4 − Base means under Re4's where both exist.
    /// - Parameter paired: each variant's paired comparison with its backbone's
    ///   Base (`pairedComparisons`); adds Δ Recall@50 and Δ HR@50 columns.
    public static func resultsMarkdown(_ runs: [Run], dataName: String, budget: Int? = nil, paired: [Paired] = []) -> String {
        let deltas = paired.isEmpty ? [] : ["recall@50", "hitrate@50"]
        // REMI's rows are also paired with Re4 on their backbone: one more column when there are such pairs.
        let second = paired.contains { !$0.isPrimary } ? ["recall@50"] : []
        var lines = [
            "| model | seeds | best epochs | " + tableMetrics.map(\.label).joined(separator: " | ") + " |"
                + deltas.map { " Δ \(Labels.readable($0)) vs its Base [95 % CI], Holm p |" }.joined()
                + second.map { " Δ \(Labels.readable($0)) vs its Re4 [95 % CI], Holm p |" }.joined(),
            "|---|---|---|" + tableMetrics.map { _ in "---|" }.joined() + (deltas + second).map { _ in "---|" }.joined(),
        ]
        let difference = meanDifferenceRow(runs, budget: budget, deltaColumns: deltas.count + second.count)
        for v in variants {
            let group = runs.filter { $0.variant == v.key }
            guard !group.isEmpty else { continue }
            let bests = group.compactMap { $0.best(within: budget) }
            guard !bests.isEmpty else { continue }
            var row = "| \(v.label) | \(bests.count) | \(bests.map { String($0.epoch) }.joined(separator: ", ")) |"
            for m in tableMetrics {
                let (mean, sd) = meanStd(bests.compactMap { $0.test[m.key] })
                row += bests.count > 1 ? String(format: " %.4f ± %.4f |", mean, sd) : String(format: " %.4f |", mean)
            }
            for m in deltas { row += " " + pairedCell(paired.first { $0.variant == v.key && $0.isPrimary }, m) + " |" }
            for m in second { row += " " + pairedCell(paired.first { $0.variant == v.key && !$0.isPrimary }, m) + " |" }
            lines.append(row)
            // The difference of the means sits under the two rows it compares.
            if v.key == "re4", let difference { lines.append(difference.row) }
        }
        let base = runs.filter { $0.variant == "base" }.compactMap { $0.best(within: budget) }
        let re4 = runs.filter { $0.variant == "re4" }.compactMap { $0.best(within: budget) }
        if let wins = difference?.wins {
            lines.append("")
            let verdict = wins.count == tableMetrics.count
                ? "Re4's mean is above Base's on every metric."
                : wins.isEmpty ? "Re4 does not beat Base on any metric here."
                : "Re4's mean is above Base's on \(wins.joined(separator: ", ")) only."
            let lowest = tableMetrics.map { m in
                (re4.compactMap { $0.test[m.key] }.min() ?? .nan) > (base.compactMap { $0.test[m.key] }.max() ?? .nan)
            }
            let separated = lowest.allSatisfy { $0 } ? " Every Re4 seed is above every Base seed on every metric." : ""
            lines.append(verdict + separated)
            if let p = paired.first(where: { $0.variant == "re4" && $0.baseline == "base" }) {
                let differ = p.result.rows.filter { $0.holm < 0.05 }
                let words = differ.isEmpty ? "no metric differs at Holm-adjusted p < 0.05"
                    : differ.map { "\(Labels.readable($0.metric)) \($0.difference > 0 ? "higher" : "lower")" }.joined(separator: ", ")
                        + " at Holm-adjusted p < 0.05"
                lines.append("Paired over the same \(p.result.users) test users and \(p.seeds.count) seed\(p.seeds.count == 1 ? "" : "s"): \(words)"
                             + " (Wilcoxon signed-rank per metric, Holm over the six; intervals from the paired bootstrap"
                             + (p.seeds.count > 1 ? " over seeds, then users" : " over users") + "; details below).")
            }
        }
        let within = budget.map { " among its first \($0) epochs" } ?? ""
        lines += [
            "",
            "\(dataName), test users, full-gallery ranking (docs/protocol.md). Each run's epoch is chosen on validation",
            "Recall@50\(within); ± is the sample standard deviation over seeds. NDCG is the `standard` convention",
            "(IDCG over min(|set(gt)|, N) ranks); the logs also hold the `comirec` and `re4` conventions.",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// "Re4 − Base (means)": the difference of the two variants' seed means per metric
    /// (and its share of Base's), with the metrics on which Re4's mean is higher; nil
    /// unless both variants have runs.
    static func meanDifferenceRow(_ runs: [Run], budget: Int?, deltaColumns: Int) -> (row: String, wins: [String])? {
        let base = runs.filter { $0.variant == "base" }.compactMap { $0.best(within: budget) }
        let re4 = runs.filter { $0.variant == "re4" }.compactMap { $0.best(within: budget) }
        guard !base.isEmpty && !re4.isEmpty else { return nil }
        var row = "| Re4 − Base (means) | | |", wins: [String] = []
        for m in tableMetrics {
            let a = meanStd(base.compactMap { $0.test[m.key] }).mean, b = meanStd(re4.compactMap { $0.test[m.key] }).mean
            row += String(format: " %+.4f (%+.1f%%) |", b - a, 100 * (b - a) / a)
            if b > a { wins.append(m.label) }
        }
        return (row + String(repeating: " |", count: deltaColumns), wins)
    }

    /// Short names for the x axis of the ablation panels.
    static let shortLabels: [String: String] = [
        "base": "Base", "re4": "Re4", "noct": "w/o ct", "noatt": "w/o att", "nocs": "w/o cs",
        "sa-base": "SA", "sa-re4": "SA+Re4", "dr-base": "DR", "dr-re4": "DR+Re4",
        "std01-base": "Base 0.1", "std01-re4": "Re4 0.1", "sa-remi": "SA+REMI", "dr-remi": "DR+REMI", "dr-re4-remi": "DR+Re4+REMI",
    ]
}
