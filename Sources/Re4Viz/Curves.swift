import Foundation
import Plot
import Re4Core

/// Epoch curves from the trainer's per-epoch logs: the reproduction of the
/// paper's Figure 3 ("test performance across epochs, Base vs Re4"); and the
/// same figure from other tools' logs (`LogTable`: CSV, JSON lines,
/// TensorBoard event files), with the columns to draw named.
public enum Curves {
    public struct Run: Sendable {
        public var label: String
        public var path: String
        /// The trainer's own log (empty for another tool's).
        public var records: [EpochRecord]
        /// Another tool's columns: name → (x, y); nil for the trainer's own log.
        public var columns: [String: LogTable.Series]? = nil
        /// The x axis: `epoch` for own logs, else the column read as x.
        public var xLabel = "epoch"

        public init(label: String, path: String, records: [EpochRecord]) { self.label = label; self.path = path; self.records = records }

        /// The points of `metric` in x order.
        func points(_ metric: String) -> [(Double, Double)] {
            if let columns { return columns[metric].map { s in zip(s.x, s.y).sorted { $0.0 < $1.0 } } ?? [] }
            return records.compactMap { r in Curves.value(r, metric).map { (Double(r.epoch), $0) } }
        }
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

    /// Opens logs. Without `x` and `y`, each is the trainer's own log (`log.jsonl`
    /// or `log.csv`); with them (or for a TensorBoard event file) another tool's,
    /// whose columns `y` are drawn against `x`.
    public static func load(paths: [String], labels: [String]?, x: String? = nil, y: [String]? = nil) throws -> [Run] {
        guard !paths.isEmpty else { throw VizError.badInput("give at least one per-epoch log (log.jsonl or log.csv)") }
        if let labels, labels.count != paths.count {
            throw VizError.badInput("--labels has \(labels.count) names for \(paths.count) logs; give one per log")
        }
        let foreign = x != nil || y != nil || paths.contains { LogTable.kind(of: $0) == .events }
        if foreign {
            return try paths.enumerated().map { i, p in
                let (xName, series) = try LogTable.read(path: p, x: x, y: y ?? [])
                guard series.contains(where: { !$0.x.isEmpty }) else { throw VizError.badInput("\(p): no rows with both \(xName) and \((y ?? []).joined(separator: ", ")) as numbers") }
                var r = Run(label: labels?[i] ?? URL(fileURLWithPath: p).lastPathComponent, path: p, records: [])
                r.columns = Dictionary(uniqueKeysWithValues: series.map { ($0.name, $0) }); r.xLabel = xName
                return r
            }
        }
        return try paths.enumerated().map { i, p in
            let recs = try EpochLog.read(path: p)
            guard !recs.isEmpty else { throw VizError.badInput("\(p): the log has no epochs yet") }
            let label = labels?[i] ?? URL(fileURLWithPath: p).deletingLastPathComponent().lastPathComponent
            return Run(label: label, path: p, records: recs.sorted { $0.epoch < $1.epoch })
        }
    }

    /// One panel per metric; one line per label (runs sharing a label are drawn
    /// as their mean with a min–max band up to the last epoch all of them reached,
    /// then each longer run as a thin dashed line); a star at each label's best
    /// epoch by validation Recall@50 (by the mean over its runs).
    public static func figure(runs: [Run], metrics: [String], title: String? = nil, dpi: Double = 100,
                              palette: Palette = .tab10) throws -> Figure {
        for m in metrics {
            if let r = runs.first(where: { $0.columns != nil && $0.columns![m] == nil }) {
                throw VizError.badInput("\(r.path) has no column '\(m)'")
            }
            if runs.contains(where: { $0.columns == nil }) && !metricNames.contains(m) {
                throw VizError.badInput("unknown metric '\(m)'; use one of: \(metricNames.joined(separator: ", "))")
            }
        }
        guard !metrics.isEmpty else { throw VizError.badInput("give at least one metric") }
        var labels: [String] = []
        for r in runs where !labels.contains(r.label) { labels.append(r.label) }
        let cols = min(3, metrics.count), rows = (metrics.count + cols - 1) / cols
        var fig = Figure(rows: rows, columns: cols, width: 4.2 * Double(cols), height: 3.3 * Double(rows) + (title != nil ? 0.4 : 0),
                         dpi: dpi, title: title)
        for (mi, metric) in metrics.enumerated() {
            var ax = Axes(title: Labels.readable(metric))
            ax.xLabel = runs.first?.xLabel ?? "epoch"
            ax.xIntegerTicks = runs.allSatisfy { $0.columns == nil } || ax.xLabel == "epoch"
            ax.grid = true
            for (li, label) in labels.enumerated() {
                let group = runs.filter { $0.label == label }
                let series = group.map { Dictionary($0.points(metric).map { ($0.0, $0.1) }, uniquingKeysWith: { _, last in last }) }
                let epochs = Array(Set(series.flatMap(\.keys))).sorted()
                // The mean and its band only up to the last epoch every run with values reached (a mean
                // over fewer runs would jump where a seed stops early); each run that went on
                // continues from there as a thin dashed line of its own.
                let shared = series.compactMap { s in s.filter { $0.value.isFinite }.keys.max() }.min() ?? -.infinity
                var mean: [Double] = [], lo: [Double] = [], hi: [Double] = [], xs: [Double] = []
                for e in epochs where e <= shared {
                    let vals = series.compactMap { $0[e] }.filter(\.isFinite)
                    guard !vals.isEmpty else { continue }
                    xs.append(e); mean.append(vals.reduce(0, +) / Double(vals.count))
                    lo.append(vals.min()!); hi.append(vals.max()!)
                }
                let color = palette.color(li)
                if group.count > 1 { ax.band(x: xs, lower: lo, upper: hi, color: color) }
                ax.line(x: xs, y: mean, color: color, marker: xs.count == 1 ? .circle : .none,
                        label: group.count > 1 ? "\(label) (n=\(group.count))" : label)
                for s in series {
                    let tail = s.filter { $0.key >= shared && $0.value.isFinite }.sorted { $0.key < $1.key }
                    if tail.count > 1 { ax.line(x: tail.map(\.key), y: tail.map(\.value), color: color, width: 0.8, dashed: true) }
                }
                // Best epoch by mean validation Recall@50 (own logs only), among the
                // epochs every run of the label reached (a mean over fewer runs is not comparable).
                var best: (Int, Double)? = nil
                for e in epochs.map({ Int($0) }) where group.allSatisfy({ $0.columns == nil }) {
                    let v = group.compactMap { r in r.records.first { $0.epoch == e }?.valid["recall@50"] }
                    guard v.count == group.count else { continue }
                    let m = v.reduce(0, +) / Double(v.count)
                    if best == nil || m > best!.1 { best = (e, m) }
                }
                if let (e, _) = best, let k = xs.firstIndex(of: Double(e)) {
                    ax.scatter(x: [xs[k]], y: [mean[k]], color: color, marker: .star, size: 11, edge: .black)
                }
            }
            fig.axes[mi] = ax
        }
        for i in metrics.count..<(rows * cols) { fig.axes[i] = .hiddenCell }
        return fig
    }
}
