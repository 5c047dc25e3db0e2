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
        ["loss", "loss_rec", "loss_att", "loss_ct", "loss_cs", "loss_rr"]
            + RankingMetrics.names().map { "test_" + $0 } + RankingMetrics.names().map { "valid_" + $0 }
            + EpochDistinctness.keys
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
            return r.extra[metric]
        }
    }

    /// How `load` reads and groups logs besides the paths.
    public struct LoadOptions: Sendable {
        public var labels: [String]? = nil
        /// Another tool's log: the x column and the columns (tags) to draw.
        public var x: String? = nil
        public var y: [String]? = nil
        /// Rows logged more often than once per x value: how to reduce them.
        public var perEpoch: LogTable.PerEpoch? = nil
        /// TensorBoard log folders: only the runs whose name matches.
        public var runs: String? = nil
        /// Runs whose labels are equal once every match of this regular expression
        /// is removed are drawn as one mean with a band (e.g. `-s[0-9]+$` for seeds).
        public var group: String? = nil
        public init() {}
    }

    /// Opens logs: the trainer's own (`log.jsonl`, `log.csv`, or a run folder
    /// holding them), another tool's CSV/JSON lines/event file with `x`/`y`, or a
    /// TensorBoard log folder (each run below it one line). Returns the runs and
    /// notes that say what was merged, reduced or grouped.
    public static func load(paths: [String], _ o: LoadOptions) throws -> (runs: [Run], notes: [String]) {
        guard !paths.isEmpty else { throw VizError.badInput("give at least one per-epoch log (log.jsonl or log.csv) or a TensorBoard log folder") }
        var notes: [String] = []
        var runs: [Run] = []
        var defaultLabels: [[String]] = []   // path components, most specific last, for labels that must differ
        let runFilter = try o.runs.map { try NSRegularExpression(pattern: $0) }
        for p in paths {
            var own = p
            if TensorBoardRuns.isDirectory(p) {
                if let log = ["log.jsonl", "log.csv"].map({ p + "/" + $0 }).first(where: { FileManager.default.fileExists(atPath: $0) }), o.y == nil {
                    own = log
                } else {
                    var found = try TensorBoardRuns.find(logDir: p)
                    if let runFilter {
                        found = found.filter { runFilter.firstMatch(in: $0.name, range: NSRange($0.name.startIndex..., in: $0.name)) != nil }
                        guard !found.isEmpty else { throw VizError.badInput("\(p): no run matches --runs '\(o.runs!)'") }
                    }
                    for r in found {
                        let m = try TensorBoardRuns.merge(r)
                        notes += m.notes
                        if r.files.count > 1 { notes.append("\(r.name): \(r.files.count) event files merged into one run, in file-name order") }
                        let (xName, series) = try LogTable.events(m, source: p + "/" + r.name, x: o.x, y: o.y ?? [])
                        var run = Run(label: r.name, path: p + "/" + r.name, records: [])
                        run.columns = Dictionary(uniqueKeysWithValues: series.map { ($0.name, $0) }); run.xLabel = xName
                        runs.append(run)
                        defaultLabels.append([URL(fileURLWithPath: p).lastPathComponent] + r.name.split(separator: "/").map(String.init))
                    }
                    continue
                }
            }
            let foreign = o.x != nil || o.y != nil || LogTable.kind(of: own) == .events
            let comps = URL(fileURLWithPath: own).standardizedFileURL.pathComponents.filter { $0 != "/" }
            if foreign {
                let (xName, series, n) = try LogTable.read(path: own, x: o.x, y: o.y ?? [], perEpoch: o.perEpoch)
                notes += n
                guard series.contains(where: { !$0.x.isEmpty }) else { throw VizError.badInput("\(own): no rows with both \(xName) and \((o.y ?? []).joined(separator: ", ")) as numbers") }
                var r = Run(label: comps.last ?? own, path: own, records: [])
                r.columns = Dictionary(uniqueKeysWithValues: series.map { ($0.name, $0) }); r.xLabel = xName
                runs.append(r); defaultLabels.append(comps)
            } else {
                let recs = try EpochLog.read(path: own)
                guard !recs.isEmpty else { throw VizError.badInput("\(own): the log has no epochs yet") }
                runs.append(Run(label: comps.dropLast().last ?? own, path: own, records: recs.sorted { $0.epoch < $1.epoch }))
                defaultLabels.append(Array(comps.dropLast()))
            }
        }
        if let labels = o.labels {
            guard labels.count == runs.count else {
                throw VizError.badInput("--labels has \(labels.count) names for \(runs.count) runs\(runs.count != paths.count ? " (the folders given hold \(runs.count))" : ""); give one per run")
            }
            for i in runs.indices { runs[i].label = labels[i] }
        } else {
            // Default labels never group by accident: runs whose names coincide get more of their path.
            for (i, l) in uniqueSuffixes(defaultLabels).enumerated() { runs[i].label = l }
        }
        if let g = o.group {
            let re = try NSRegularExpression(pattern: g)
            for i in runs.indices {
                let l = runs[i].label
                let stripped = re.stringByReplacingMatches(in: l, range: NSRange(l.startIndex..., in: l), withTemplate: "")
                    .trimmingCharacters(in: CharacterSet(charactersIn: " -_/."))
                runs[i].label = stripped.isEmpty ? l : stripped
            }
        }
        var order: [String] = []
        for r in runs where !order.contains(r.label) { order.append(r.label) }
        for l in order {
            let members = runs.filter { $0.label == l }
            if members.count > 1 {
                notes.append("grouped: '\(l)' is the mean and min–max band of \(members.count) runs: " + members.map(\.path).joined(separator: ", "))
            }
        }
        return (runs, notes)
    }

    /// The shortest path suffixes that tell the entries apart (e.g. `a/re4` and `b/re4`).
    static func uniqueSuffixes(_ paths: [[String]]) -> [String] {
        var k = Array(repeating: 1, count: paths.count)
        func label(_ i: Int) -> String { paths[i].suffix(k[i]).joined(separator: "/") }
        for _ in 0..<64 {
            let current = paths.indices.map(label)
            let clashing = paths.indices.filter { i in paths.indices.contains { $0 != i && current[$0] == current[i] } && k[i] < paths[i].count }
            if clashing.isEmpty { break }
            for i in clashing { k[i] += 1 }
        }
        return paths.indices.map { label($0).isEmpty ? "log" : label($0) }
    }

    /// The former entry point: own logs or another tool's, labels given or not.
    public static func load(paths: [String], labels: [String]?, x: String? = nil, y: [String]? = nil) throws -> [Run] {
        var o = LoadOptions(); o.labels = labels; o.x = x; o.y = y
        return try load(paths: paths, o).runs
    }

    /// TensorBoard's smoothing: an exponential moving average started at 0 and
    /// debiased by 1 − w^n (n = finite values so far); non-finite values pass
    /// through, and a constant series is left as it is (TensorBoard's scalar chart).
    public static func smoothed(_ y: [Double], weight w: Double) -> [Double] {
        guard let first = y.first, !y.allSatisfy({ $0 == first }) else { return y }
        var last = 0.0, n = 0.0
        return y.map { v in
            guard v.isFinite else { return v }
            last = last * w + (1 - w) * v; n += 1
            return w == 1 ? last : last / (1 - pow(w, n))
        }
    }

    /// One panel per metric; one line per label (runs sharing a label are drawn
    /// as their mean with a min–max band up to the last epoch all of them reached,
    /// then each longer run as a thin dashed line); a star at each label's best
    /// epoch by validation Recall@50 (by the mean over its runs).
    public static func figure(runs: [Run], metrics: [String], title: String? = nil, dpi: Double = 100,
                              palette: Palette = .tab10, smooth: Double? = nil, logY: Bool = false) throws -> Figure {
        for m in metrics {
            if let r = runs.first(where: { $0.columns != nil && $0.columns![m] == nil }) {
                throw VizError.badInput("\(r.path) has no column '\(m)'")
            }
            if runs.contains(where: { $0.columns == nil }) && !metricNames.contains(m) {
                throw VizError.badInput("unknown metric '\(m)'; use one of: \(metricNames.joined(separator: ", "))")
            }
        }
        guard !metrics.isEmpty else { throw VizError.badInput("give at least one metric") }
        if let w = smooth, !(w >= 0 && w < 1) { throw VizError.badInput("--smooth \(w): the weight must be from 0 (none) up to, not including, 1 (TensorBoard's slider: 0.6 by default)") }
        if logY {
            for m in metrics { for r in runs { if let bad = r.points(m).first(where: { $0.1 <= 0 }) {
                throw VizError.badInput("--log-y: \(r.path) has \(m) = \(bad.1) at x = \(bad.0), and a log scale shows only values > 0")
            } } }
        }
        var labels: [String] = []
        for r in runs where !labels.contains(r.label) { labels.append(r.label) }
        let cols = min(3, metrics.count), rows = (metrics.count + cols - 1) / cols
        var fig = Figure(rows: rows, columns: cols, width: 4.2 * Double(cols), height: 3.3 * Double(rows) + (title != nil ? 0.4 : 0),
                         dpi: dpi, title: title)
        for (mi, metric) in metrics.enumerated() {
            // Another tool's columns are shown as given; the trainer's own by the label table.
            let shown = runs.allSatisfy { $0.columns == nil } ? Labels.readable(metric) : metric
            var ax = Axes(title: shown)
            ax.yLabel = shown
            if logY { ax.yScale = .log }
            if labels.count > 3 || labels.contains(where: { $0.count > 24 }) { ax.legend = .outsideRight }
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
                if group.count > 1 { ax.band(x: xs, lower: smooth.map { smoothed(lo, weight: $0) } ?? lo, upper: smooth.map { smoothed(hi, weight: $0) } ?? hi, color: color) }
                if smooth != nil {
                    // The raw curve faint behind the smoothed one, as TensorBoard draws it.
                    var faint = color; faint.a = 0.3
                    ax.line(x: xs, y: mean, color: faint, width: 0.8)
                }
                let drawn = smooth.map { smoothed(mean, weight: $0) } ?? mean
                ax.line(x: xs, y: drawn, color: color, marker: xs.count == 1 ? .circle : .none,
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
                    ax.scatter(x: [xs[k]], y: [drawn[k]], color: color, marker: .star, size: 11, edge: .black)
                }
            }
            fig.axes[mi] = ax
        }
        for i in metrics.count..<(rows * cols) { fig.axes[i] = .hiddenCell }
        return fig
    }
}
