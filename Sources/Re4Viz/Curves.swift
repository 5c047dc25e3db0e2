import Foundation
import Plot
import Re4Core

/// Epoch curves from the trainer's per-epoch logs: the reproduction of the
/// paper's Figure 3 ("test performance across epochs, Base vs Re4").
public enum Curves {
    public struct Run: Sendable {
        public var label: String
        public var path: String
        public var records: [EpochRecord]
    }

    /// Names a metric can take: `test_recall@50`, `valid_ndcg_re4@20`, `loss`, `loss_ct`, …
    public static var metricNames: [String] {
        ["loss", "loss_rec", "loss_att", "loss_ct", "loss_cs"]
            + RankingMetrics.names().map { "test_" + $0 } + RankingMetrics.names().map { "valid_" + $0 }
    }

    public static func value(_ r: EpochRecord, _ metric: String) -> Double? {
        switch metric {
        case "loss": return r.loss.total
        case "loss_rec": return r.loss.rec
        case "loss_att": return r.loss.att
        case "loss_ct": return r.loss.ct
        case "loss_cs": return r.loss.cs
        default:
            if metric.hasPrefix("test_") { return r.test[String(metric.dropFirst(5))] }
            if metric.hasPrefix("valid_") { return r.valid[String(metric.dropFirst(6))] }
            return nil
        }
    }

    public static func load(paths: [String], labels: [String]?) throws -> [Run] {
        guard !paths.isEmpty else { throw VizError.badInput("give at least one per-epoch log (log.jsonl or log.csv)") }
        if let labels, labels.count != paths.count {
            throw VizError.badInput("--labels has \(labels.count) names for \(paths.count) logs; give one per log")
        }
        return try paths.enumerated().map { i, p in
            let recs = try EpochLog.read(path: p)
            guard !recs.isEmpty else { throw VizError.badInput("\(p): the log has no epochs yet") }
            let label = labels?[i] ?? URL(fileURLWithPath: p).deletingLastPathComponent().lastPathComponent
            return Run(label: label, path: p, records: recs.sorted { $0.epoch < $1.epoch })
        }
    }

    /// One panel per metric; one line per label (runs sharing a label are drawn
    /// as their mean with a min–max band); a star at each label's best epoch by
    /// validation Recall@50 (by the mean over its runs).
    public static func figure(runs: [Run], metrics: [String], title: String? = nil, dpi: Double = 100,
                              palette: Palette = .tab10) throws -> Figure {
        for m in metrics where !metricNames.contains(m) {
            throw VizError.badInput("unknown metric '\(m)'; use one of: \(metricNames.joined(separator: ", "))")
        }
        guard !metrics.isEmpty else { throw VizError.badInput("give at least one metric") }
        var labels: [String] = []
        for r in runs where !labels.contains(r.label) { labels.append(r.label) }
        let cols = min(3, metrics.count), rows = (metrics.count + cols - 1) / cols
        var fig = Figure(rows: rows, columns: cols, width: 4.2 * Double(cols), height: 3.3 * Double(rows) + (title != nil ? 0.4 : 0),
                         dpi: dpi, title: title)
        for (mi, metric) in metrics.enumerated() {
            var ax = Axes(title: metric)
            ax.xLabel = "epoch"
            ax.xIntegerTicks = true
            ax.grid = true
            for (li, label) in labels.enumerated() {
                let group = runs.filter { $0.label == label }
                let epochs = Array(Set(group.flatMap { $0.records.map(\.epoch) })).sorted()
                var mean: [Double] = [], lo: [Double] = [], hi: [Double] = [], xs: [Double] = []
                for e in epochs {
                    let vals = group.compactMap { r in r.records.first { $0.epoch == e }.flatMap { value($0, metric) } }.filter(\.isFinite)
                    guard !vals.isEmpty else { continue }
                    xs.append(Double(e)); mean.append(vals.reduce(0, +) / Double(vals.count))
                    lo.append(vals.min()!); hi.append(vals.max()!)
                }
                let color = palette.color(li)
                if group.count > 1 { ax.band(x: xs, lower: lo, upper: hi, color: color) }
                ax.line(x: xs, y: mean, color: color, marker: xs.count == 1 ? .circle : .none,
                        label: group.count > 1 ? "\(label) (n=\(group.count))" : label)
                // Best epoch by mean validation Recall@50.
                var best: (Int, Double)? = nil
                for e in epochs {
                    let v = group.compactMap { r in r.records.first { $0.epoch == e }?.valid["recall@50"] }
                    guard !v.isEmpty else { continue }
                    let m = v.reduce(0, +) / Double(v.count)
                    if best == nil || m > best!.1 { best = (e, m) }
                }
                if let (e, _) = best, let k = xs.firstIndex(of: Double(e)) {
                    ax.scatter(x: [xs[k]], y: [mean[k]], color: color, marker: .star, size: 11, edge: .black)
                }
            }
            fig.axes[mi] = ax
        }
        for i in metrics.count..<(rows * cols) {
            var empty = Axes(); empty.showTicks = false; empty.legend = .none
            fig.axes[i] = empty
        }
        return fig
    }
}
