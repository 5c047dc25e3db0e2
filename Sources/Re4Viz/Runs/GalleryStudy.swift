import Foundation
import Plot
import Re4Core

/// `re4-viz gallery`: does Re4's gain over Base grow with the item gallery, as
/// the paper says? One run prefix per gallery (`gallery-2k-re4-s1`, …), each
/// Base and Re4 over the same seeds; per gallery the paired comparison of the
/// best checkpoints over its test users (`Reproduction.pairedComparisons`).
public enum GalleryStudy {
    public struct Gallery: Sendable {
        public var prefix: String
        /// Items in the data set (those drawn at least once).
        public var items: Int
        public var paired: Reproduction.Paired
    }

    public static let metrics = ["recall@50", "hitrate@50", "ndcg@50"]

    /// Opens each prefix's runs and data (from the runs' configs) and compares
    /// Re4 with Base. A prefix without both on a common seed is refused by name.
    /// Runs whose training is not over are left out unless `includeUnfinished`.
    /// Threads and the bootstrap's seed from `context`; a line per gallery on its progress.
    public static func run(runs dir: String, prefixes: [String], resamples: Int = 10_000, includeUnfinished: Bool = false,
                           context c: AnalysisContext) throws -> [Gallery] {
        let log = c.progress
        guard !prefixes.isEmpty else { throw VizError.badInput("give at least one run prefix (--prefixes gallery-2k,gallery-20k,…)") }
        return try prefixes.map { prefix in
            let runs = try Reproduction.discover(in: dir, prefix: prefix, includeUnfinished: includeUnfinished, log: log).filter { $0.variant == "base" || $0.variant == "re4" }
            let (source, ds) = try RunData.openData(for: runs.map(\.checkpoint), request: DataRequest())
            let paired = try Reproduction.pairedComparisons(runs, perUser: { r in
                let m = try RunData.load(r.checkpoint, dataset: ds, source: source, allowMismatch: false).0
                return Reproduction.perUserTest(model: m, dataset: ds, threads: c.threads)
            }, resamples: resamples, seed: c.seed)
            guard let p = paired.first(where: { $0.variant == "re4" }) else {
                throw VizError.badInput("\(dir): no seed with both \(prefix)-base-sN and \(prefix)-re4-sN; train them first")
            }
            log("\(prefix): \(ds.itemCount) items, seeds \(p.seeds.map(String.init).joined(separator: ","))")
            return Gallery(prefix: prefix, items: ds.itemCount, paired: p)
        }.sorted { $0.items < $1.items }
    }

    /// One panel per metric: Re4 − Base against the gallery size (log axis),
    /// the paired 95 % interval as whiskers, a dashed line at no difference.
    public static func figure(_ g: [Gallery], title: String?, dpi: Double = 100) -> Figure {
        var fig = Figure(rows: 1, columns: metrics.count, width: 3.6 * Double(metrics.count), height: 3.4, dpi: dpi, title: title)
        for (i, m) in metrics.enumerated() {
            var ax = Axes(title: "Δ " + Labels.readable(m) + " (Re4 − Base)")
            ax.xScale = .log; ax.grid = true; ax.legend = .none
            ax.xLabel = "items in the gallery"
            let xs = g.map { Double($0.items) }
            ax.xTickLabels = g.map { (Double($0.items), DatasetStats.grouped($0.items)) }
            let rows = g.map { $0.paired.row(m)! }
            let ci = rows.map { $0.hierarchical ?? $0.bootstrap }
            if let lo = xs.first, let hi = xs.last { ax.line(x: [lo / 1.5, hi * 1.5], y: [0, 0], color: .gray, width: 1, dashed: true) }
            ax.line(x: xs, y: rows.map(\.difference), color: Palette.tab10.color(1), marker: .circle)
            let dark = Color(hex: "#262626")
            for (x, c) in zip(xs, ci) {
                ax.line(x: [x, x], y: [c.low, c.high], color: dark, width: 1)
                for y in [c.low, c.high] { ax.line(x: [x / 1.12, x * 1.12], y: [y, y], color: dark, width: 1) }
            }
            fig.axes[i] = ax
        }
        return fig
    }

    /// The table: per gallery, both means, Δ with its interval, Holm p and the relative gain.
    public static func markdown(_ g: [Gallery], title: String) -> String {
        var s = "# \(title)\n\n| gallery | items | seeds | metric | Base | Re4 | Δ | 95 % CI | Holm p | relative |\n|---|---|---|---|---|---|---|---|---|---|\n"
        for x in g {
            for m in metrics {
                guard let r = x.paired.row(m) else { continue }
                let ci = r.hierarchical ?? r.bootstrap
                s += String(format: "| %@ | %d | %d | %@ | %.4f | %.4f | %+.4f | [%+.4f, %+.4f] | %.3g | %+.1f %% |\n",
                            x.prefix, x.items, x.paired.seeds.count, Labels.readable(m), r.meanA, r.meanB, r.difference,
                            ci.low, ci.high, r.holm, 100 * r.difference / r.meanA)
            }
        }
        s += "\nPaired over each gallery's test users (and seeds: the interval is the two-level bootstrap over seeds, then users, when there are several; "
            + "Wilcoxon signed-rank p with Holm's adjustment over the six metrics of the results table, Recall, NDCG and HR at 20 and 50). Best checkpoints by validation Recall@50.\n"
        return s
    }
}
