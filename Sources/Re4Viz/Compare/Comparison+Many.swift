import Foundation
import PairedStats
import Re4Core

/// Several models against one baseline, and the formats of `re4-viz compare`.
extension Comparison {
    /// Output formats of `re4-viz compare`.
    public enum Format: String, Sendable, CaseIterable { case text, markdown, json, csv }

    /// Each of `bs` (one list of per-seed CSVs per model) against `a`; Holm's
    /// adjustment then runs over every (model, metric) test together, so the
    /// family-wise error is held over the whole table.
    /// - Parameter labels: the baseline's name, then one per model.
    public static func run(a: [String], bs: [[String]], labels: [String], metrics: [String]?, resamples: Int = 10_000,
                               seed: UInt64 = 42, split: String? = "test") throws -> [Result] {
        guard !bs.isEmpty else { throw VizError.badInput("give at least one model to compare with the baseline (--b)") }
        guard labels.count == bs.count + 1 else {
            throw VizError.badInput("--labels has \(labels.count) names for \(bs.count + 1) models; give the baseline's name, then one per --b")
        }
        var results = try bs.enumerated().map { i, b in
            try run(a: a, b: b, metrics: metrics, labels: (labels[0], labels[i + 1]), resamples: resamples, seed: seed, split: split)
        }
        guard results.count > 1 else { return results }
        let adjusted = PairedTests.holm(results.flatMap { $0.rows.map(\.wilcoxon.p) })
        var k = 0
        for r in results.indices { for i in results[r].rows.indices { results[r].rows[i].holm = adjusted[k]; k += 1 } }
        return results
    }

    /// The results in `format`. Markdown keeps one table per model (`markdown`);
    /// the others are one row per (model, metric).
    public static func format(_ results: [Result], as format: Format) -> String {
        switch format {
        case .markdown:
            let note = results.count > 1 ? "Holm's adjustment is over all \(results.reduce(0) { $0 + $1.rows.count }) tests of the \(results.count) models together.\n\n" : ""
            return note + results.map(markdown).joined(separator: "\n")
        case .csv:
            var lines = ["baseline,model,metric,users,seeds,mean_a,mean_b,difference,ci_low,ci_high,ci_seeds_low,ci_seeds_high,wilcoxon_p,holm_p,dz,seed_t_p"]
            for r in results {
                for x in r.rows {
                    let h = x.hierarchical
                    lines.append(CSV.row([r.labels.0, r.labels.1, x.metric, "\(x.users)", "\(r.seeds)", "\(x.meanA)", "\(x.meanB)", "\(x.difference)",
                                          "\(x.bootstrap.low)", "\(x.bootstrap.high)", h.map { "\($0.low)" } ?? "", h.map { "\($0.high)" } ?? "",
                                          "\(x.wilcoxon.p)", "\(x.holm)", x.dz.isFinite ? "\(x.dz)" : "", x.seedT.map { "\($0.p)" } ?? ""]))
                }
            }
            return lines.joined(separator: "\n") + "\n"
        case .json:
            func num(_ v: Double) -> String { v.isFinite ? "\(v)" : "null" }
            var rows: [String] = []
            for r in results {
                for x in r.rows {
                    let q = Distinctness.jsonQuote
                    var fields: [String] = []
                    fields.append("\"baseline\":" + q(r.labels.0))
                    fields.append("\"model\":" + q(r.labels.1))
                    fields.append("\"metric\":" + q(x.metric))
                    fields.append("\"users\":\(x.users)")
                    fields.append("\"seeds\":\(r.seeds)")
                    fields.append("\"mean_a\":" + num(x.meanA))
                    fields.append("\"mean_b\":" + num(x.meanB))
                    fields.append("\"difference\":" + num(x.difference))
                    fields.append("\"ci95\":[" + num(x.bootstrap.low) + "," + num(x.bootstrap.high) + "]")
                    let h: String = x.hierarchical.map { "[" + num($0.low) + "," + num($0.high) + "]" } ?? "null"
                    fields.append("\"ci95_seeds\":" + h)
                    fields.append("\"wilcoxon_p\":" + num(x.wilcoxon.p))
                    fields.append("\"holm_p\":" + num(x.holm))
                    fields.append("\"dz\":" + num(x.dz))
                    let t: String = x.seedT.map { num($0.p) } ?? "null"
                    fields.append("\"seed_t_p\":" + t)
                    rows.append("{" + fields.joined(separator: ",") + "}")
                }
            }
            return "[" + rows.joined(separator: ",") + "]\n"
        case .text:
            // Foundation on Linux ignores widths on %@: text columns are padded here.
            func pad(_ t: String, _ w: Int, right: Bool = false) -> String {
                t.count >= w ? t : (right ? String(repeating: " ", count: w - t.count) + t : t + String(repeating: " ", count: w - t.count))
            }
            let mw = max(10, results.map { $0.labels.1.count }.max() ?? 0), kw = max(14, results.flatMap { $0.rows.map(\.metric.count) }.max() ?? 0)
            var lines = [pad("model", mw) + " " + pad("metric", kw) + " " + pad("A", 9, right: true) + " " + pad("B", 9, right: true) + " "
                         + pad("B − A", 9, right: true) + "  " + pad("95 % CI", 20) + " " + pad("Wilcoxon p", 10, right: true) + " "
                         + pad("Holm p", 10, right: true) + " " + pad("d_z", 7, right: true)]
            for r in results {
                for x in r.rows {
                    let ci = x.hierarchical ?? x.bootstrap
                    lines.append(pad(r.labels.1, mw) + " " + pad(x.metric, kw) + " "
                                 + String(format: "%9.4f %9.4f %+9.4f  [%+8.4f, %+8.4f] %10.3g %10.3g ", x.meanA, x.meanB, x.difference, ci.low, ci.high, x.wilcoxon.p, x.holm)
                                 + (x.dz.isFinite ? String(format: "%7.3f", x.dz) : pad("–", 7, right: true)))
                }
            }
            let noSpread = results.contains { $0.rows.contains { !$0.dz.isFinite } }
            return lines.joined(separator: "\n") + "\n(A = \(results.first?.labels.0 ?? "A"); CI over seeds, then users, when there are several seeds"
                + (noSpread ? "; d_z –: every user's difference is the same, so it has no spread and d_z is undefined" : "") + ")\n"
        }
    }
}
