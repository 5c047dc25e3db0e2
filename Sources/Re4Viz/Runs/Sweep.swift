import Foundation
import Re4Core

/// A hyperparameter sweep read back from its runs: each run folder's
/// `config.json` (what `re4 train` was given) and `log.jsonl` (what it got).
/// Runs whose configurations differ only in the seed are one row, mean ± sample
/// std over their seeds, so the seed-to-seed spread sits next to every
/// difference. Everything is chosen and shown on validation; the test set is
/// left alone.
public enum Sweep {
    public struct Run: Sendable {
        public var folder: String
        public var config: [String: String]
        public var records: [EpochRecord]
    }

    /// Configuration keys that never define a setting (bookkeeping, or the
    /// length of a run, which the budget replaces).
    static let ignored: Set<String> = ["seed", "epochs", "dataset_fingerprint", "selection"]

    /// Keys shown as columns when they vary, in this order, with their labels.
    static let known: [(key: String, label: String)] = [
        ("encoder", "encoder"), ("K", "K"), ("lambda_att", "λ_att"), ("lambda_ct", "λ_ct"), ("lambda_cs", "λ_cs"),
        ("lr", "lr"), ("tau", "τ"), ("negatives", "negatives"), ("batch_size", "batch"), ("d", "d"),
    ]

    /// Reads each folder's config.json (either format) and log.jsonl.
    public static func load(_ folders: [String]) throws -> [Run] {
        guard !folders.isEmpty else { throw VizError.badInput("no run folders given; pass the sweep's `re4 train` output folders") }
        return try folders.map { path in
            let folder = RunFolder(path)
            guard FileManager.default.fileExists(atPath: folder.config) else {
                throw VizError.badInput("\(folder.config): missing; give folders written by `re4 train`")
            }
            let cfg = try folder.readConfig().flatSettings
            guard FileManager.default.fileExists(atPath: folder.logJSONL) else {
                throw VizError.badInput("\(folder.logJSONL): missing; has the run finished an epoch?")
            }
            let records = try folder.readLog()
            guard !records.isEmpty else { throw VizError.badInput("\(folder.logJSONL): no epochs yet; wait for the run's first epoch") }
            return Run(folder: path, config: cfg, records: records)
        }
    }

    /// "Base" when every flow weight is zero, else "Re4".
    static func model(_ c: [String: String]) -> String {
        let ws = ["lambda_att", "lambda_ct", "lambda_cs"].map { Double(c[$0] ?? "0") ?? 0 }
        return ws.allSatisfy { $0 == 0 } ? "Base" : "Re4"
    }

    public static let metrics: [(key: String, label: String)] = [
        ("recall@20", "R@20"), ("recall@50", "R@50"), ("ndcg@50", "NDCG@50"), ("hitrate@50", "HR@50"),
    ]
    static var testMetrics: [(key: String, label: String)] { metrics.filter { $0.key.hasSuffix("@50") } }

    /// The table: one row per configuration, validation metrics at each run's
    /// best validation epoch among its first `budget` epochs.
    /// `withTest` adds test Recall@50, NDCG@50 and HR@50 at the same epochs, for
    /// reporting a setting already chosen on validation.
    public static func markdown(_ runs: [Run], budget: Int, title: String, withTest: Bool = false) throws -> String {
        // The configuration without the seed and run length.
        func key(_ r: Run) -> [String: String] { r.config.filter { !ignored.contains($0.key) } }
        var groups: [(config: [String: String], runs: [Run])] = []
        for r in runs {
            if let i = groups.firstIndex(where: { $0.config == key(r) }) { groups[i].runs.append(r) } else { groups.append((key(r), [r])) }
        }
        let allKeys = Set(groups.flatMap { $0.config.keys })
        let varying = known.filter { k in Set(groups.map { $0.config[k.key] ?? "–" }).count > 1 }
        let unknownVarying = allKeys.subtracting(known.map(\.key)).sorted().filter { k in Set(groups.map { $0.config[k] ?? "–" }).count > 1 }
        let columns = varying + unknownVarying.map { ($0, $0) }
        struct Row { var cells: [String]; var model: String; var r50: Double }
        var rows: [Row] = []
        for i in groups.indices {   // seeds in numeric order within a row
            groups[i].runs.sort { (Int($0.config["seed"] ?? "") ?? 0, $0.folder) < (Int($1.config["seed"] ?? "") ?? 0, $1.folder) }
        }
        for g in groups {
            var bests: [EpochRecord] = []
            for r in g.runs {
                guard let b = BestEpoch.best(r.records, within: budget) else {
                    throw VizError.badInput("\(r.folder): no epoch ≤ \(budget) with a validation Recall@50")
                }
                bests.append(b)
            }
            let seeds = g.runs.map { $0.config["seed"] ?? "?" }
            // A run that ended before the budget: stopped by patience (it was asked
            // for more epochs) or simply a shorter run.
            let ends = g.runs.map { ($0.records.map(\.epoch).max()!, Int($0.config["epochs"] ?? "") ?? 0) }
            let stopped = ends.filter { $0.0 < budget && $0.1 > $0.0 }.map { String($0.0) }
            let short = ends.contains { $0.0 < budget && $0.1 <= $0.0 }
            var cells = [Sweep.model(g.config)] + columns.map { g.config[$0.key] ?? "–" }
            cells.append(seeds.joined(separator: ", "))
            var note = stopped.isEmpty ? "" : " (stopped early at \(stopped.joined(separator: ", ")))"
            if short { note += " (run shorter than the budget)" }
            cells.append(bests.map { String($0.epoch) }.joined(separator: ", ") + note)
            func cell(_ v: [Double]) -> String {
                let (mean, sd) = Reproduction.meanStd(v)
                return bests.count > 1 ? String(format: "%.4f ± %.4f", mean, sd) : String(format: "%.4f", mean)
            }
            cells += metrics.map { m in cell(bests.compactMap { $0.valid[m.key] }) }
            if withTest { cells += testMetrics.map { m in cell(bests.compactMap { $0.test[m.key] }) } }
            let r50 = Reproduction.meanStd(bests.compactMap { $0.valid["recall@50"] }).mean
            rows.append(Row(cells: cells, model: Sweep.model(g.config), r50: r50))
        }
        // Base rows first, then Re4; within each, best validation Recall@50 first.
        rows.sort { ($0.model, -$0.r50) < ($1.model, -$1.r50) }
        let settingCols: String = columns.map(\.label).joined(separator: " | ") + (columns.isEmpty ? "" : " | ")
        let validCols: String = metrics.map { "valid " + $0.label }.joined(separator: " | ")
        let testCols: String = withTest ? " | " + testMetrics.map { "test " + $0.label }.joined(separator: " | ") : ""
        let rule: String = "|---|" + String(repeating: "---|", count: columns.count + 2 + metrics.count + (withTest ? testMetrics.count : 0))
        var lines: [String] = ["| model | " + settingCols + "seeds | best epochs | " + validCols + testCols + " |", rule]
        for r in rows { lines.append("| " + r.cells.joined(separator: " | ") + " |") }
        let fixed = known.filter { k in !varying.contains(where: { $0.key == k.key }) && groups.first?.config[k.key] != nil }
            .map { "\($0.label) = \(groups[0].config[$0.key]!)" }
        let who: String = withTest ? "validation users choose each run's epoch; test users are shown only to report it. " : "validation users only. "
        lines.append("")
        lines.append("\(title): " + who + "Each run's epoch is its best validation Recall@50 among its first \(budget)")
        lines.append("epochs; rows with several seeds give mean ± sample std. Fixed across the sweep: " + fixed.joined(separator: ", ") + ".")
        for model in ["Base", "Re4"] {
            if let top = rows.first(where: { $0.model == model }) {
                lines.append("Best \(model) setting on validation: " + zip(["model"] + columns.map(\.label), top.cells)
                    .dropFirst().map { "\($0) = \($1)" }.joined(separator: ", ") + String(format: " (R@50 %.4f).", top.r50))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
