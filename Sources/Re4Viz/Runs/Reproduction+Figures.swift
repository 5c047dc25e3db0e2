import Foundation
import Plot
import Re4Core

/// The reproduction's bar charts and the distinctness table.
extension Reproduction {

    /// The ablation: one panel per metric, one bar per variant (mean over seeds),
    /// whiskers from the lowest to the highest seed where there are several.
    public static func ablationFigure(_ runs: [Run], metrics: [(key: String, label: String)], budget: Int? = nil,
                                      title: String?, dpi: Double) -> Figure {
        let present = variants.filter { v in runs.contains { $0.variant == v.key } }
        // Up to five bars a panel, the metrics side by side; up to ten, two columns; more, one.
        let cols = min(present.count > 10 ? 1 : present.count > 5 ? 2 : 4, metrics.count), rows = (metrics.count + cols - 1) / cols
        // Each bar as wide as its longest tick label needs (about 0.1 in a character at the tick size).
        let labels = present.map { shortLabels[$0.key] ?? $0.key }
        let perBar = max(0.55, 0.1 * Double(labels.map(\.count).max() ?? 0))
        let colors = Palette.categorical(present.count)
        var fig = Figure(rows: rows, columns: cols, width: max(2.6, perBar * Double(present.count) + 0.9) * Double(cols),
                         height: 3.0 * Double(rows) + (title != nil ? 0.4 : 0), dpi: dpi, title: title)
        for (mi, m) in metrics.enumerated() {
            var ax = Axes(title: m.label)
            for (vi, v) in present.enumerated() {
                let vals = runs.filter { $0.variant == v.key }.compactMap { $0.best(within: budget)?.test[m.key] }
                let several = vals.count > 1
                ax.bars(x: [Double(vi)], height: [meanStd(vals).mean], width: 0.75, color: colors[vi],
                        low: [several ? vals.min()! : .nan], high: [several ? vals.max()! : .nan])
            }
            ax.xTickLabels = labels.enumerated().map { (Double($0.offset), $0.element) }
            ax.grid = true
            ax.legend = .none
            fig.axes[mi] = ax
        }
        for i in metrics.count..<(rows * cols) { fig.axes[i] = .hiddenCell }
        return fig
    }

    /// Distinctness statistics as bars: one panel per statistic, one group per
    /// seed, Base and Re4 side by side, whiskers at the 95 % bootstrap interval
    /// over users.
    public static func distinctnessFigure(_ reports: [(variant: String, seed: Int, report: Distinctness.Report)],
                                          keys: [String], title: String?, dpi: Double) -> Figure {
        let cols = min(4, keys.count), rows = (keys.count + cols - 1) / cols
        var fig = Figure(rows: rows, columns: cols, width: 3.2 * Double(cols), height: 2.7 * Double(rows) + (title != nil ? 0.4 : 0),
                         dpi: dpi, title: title)
        let seeds = Array(Set(reports.map(\.seed))).sorted()
        let present = variants.filter { v in reports.contains { $0.variant == v.key } }
        // One legend for the figure, under its title (bars fill every corner of a panel).
        fig.legend = present.enumerated().map { LegendEntry($0.element.label, color: Palette.tab10.color($0.offset)) }
        fig.height += 0.3
        for (ki, key) in keys.enumerated() {
            var ax = Axes(title: Labels.readable(key))
            let w = 0.8 / Double(present.count)
            for (vi, v) in present.enumerated() {
                var xs: [Double] = [], hs: [Double] = [], lo: [Double] = [], hi: [Double] = []
                for (si, s) in seeds.enumerated() {
                    guard let st = reports.first(where: { $0.variant == v.key && $0.seed == s })?.report.value(key) else { continue }
                    xs.append(Double(si) + (Double(vi) - Double(present.count - 1) / 2) * w)
                    hs.append(st.mean); lo.append(st.low); hi.append(st.high)
                }
                ax.bars(x: xs, height: hs, width: w * 0.92, color: Palette.tab10.color(vi), low: lo, high: hi)
            }
            ax.xTickLabels = seeds.enumerated().map { (Double($0.offset), "seed \($0.element)") }
            ax.grid = true
            ax.legend = .none
            fig.axes[ki] = ax
        }
        for i in keys.count..<(rows * cols) { fig.axes[i] = .hiddenCell }
        return fig
    }

    /// The distinctness summary: each statistic's mean over seeds (± sample std)
    /// per variant, the difference, and in how many seeds the two 95 % intervals
    /// are apart in the direction of the mean difference.
    public static func distinctnessMarkdown(_ reports: [(variant: String, seed: Int, report: Distinctness.Report)],
                                            dataName: String, users: Int, definitions: Bool = true) -> String {
        let present = variants.filter { v in reports.contains { $0.variant == v.key } }
        var lines = ["| statistic | " + present.map(\.label).joined(separator: " | ")
                     + (present.count == 2 ? " | Δ (\(present[1].label) − \(present[0].label)) | seeds with intervals apart |" : " |"),
                     "|---|" + present.map { _ in "---|" }.joined() + (present.count == 2 ? "---|---|" : "")]
        let seeds = Array(Set(reports.map(\.seed))).sorted()
        for (key, _) in Distinctness.definitions {
            let per = present.map { v in reports.filter { $0.variant == v.key }.compactMap { $0.report.value(key) } }
            guard per.allSatisfy({ !$0.isEmpty }) else { continue }
            var row = "| \(key) |"
            for p in per {
                let (m, sd) = meanStd(p.map(\.mean))
                row += p.count > 1 ? String(format: " %.4f ± %.4f |", m, sd) : String(format: " %.4f [%.4f, %.4f] |", m, p[0].low, p[0].high)
            }
            if present.count == 2 {
                let d = meanStd(per[1].map(\.mean)).mean - meanStd(per[0].map(\.mean)).mean
                var apart = 0
                for s in seeds {
                    guard let a = reports.first(where: { $0.variant == present[0].key && $0.seed == s })?.report.value(key),
                          let b = reports.first(where: { $0.variant == present[1].key && $0.seed == s })?.report.value(key) else { continue }
                    if (d > 0 && b.low > a.high) || (d < 0 && b.high < a.low) { apart += 1 }
                }
                row += String(format: " %+.4f | %d of %d |", d, apart, seeds.count)
            }
            lines.append(row)
        }
        lines += ["", "\(dataName): \(users) test users, best-validation checkpoints. A value is the mean over users;",
                  "± is the sample standard deviation of that mean over seeds (with one seed: its 95 % bootstrap interval",
                  "over users). \"Intervals apart\" counts seeds whose two 95 % bootstrap intervals do not overlap."]
        if definitions { lines += ["", "Definitions:", ""] + Distinctness.definitions.map { "- `\($0.0)`: \($0.1)" } }
        return lines.joined(separator: "\n") + "\n"
    }
}
