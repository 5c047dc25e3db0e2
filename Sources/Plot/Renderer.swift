import CCairo
import Foundation

/// Lays out and draws a `Figure`.
struct Renderer {
    let figure: Figure

    /// Where an axes' frame sits in its cell: insets from the cell's edges, in points.
    struct Insets { var left = 0.0, top = 0.0, right = 0.0, bottom = 0.0 }

    func render(format: OutputFormat, path: String) throws {
        let W = figure.width * 72, H = figure.height * 72
        let c = try CairoCanvas(format: format, path: path, widthPt: W, heightPt: H, dpi: figure.dpi)
        c.rect(0, 0, W, H, fill: .white, stroke: nil)
        let fs = figure.fontSize
        var top = 0.03 * H
        if let t = figure.title {
            // Long titles wrap (up to three lines) rather than run off the figure.
            let (lines, sz) = c.wrapped(t, size: fs * 1.4, width: 0.94 * W, maxLines: 3)
            for (i, l) in lines.enumerated() { c.text(l, x: W / 2, y: top + Double(i) * sz * 1.25, size: sz, ha: 0.5, va: 0) }
            top += Double(lines.count) * sz * 1.25 + fs * 0.6
        }
        if !figure.legend.isEmpty { top += drawFigureLegend(canvas: c, top: top, width: W) + fs * 0.5 }
        // Shared limits.
        var lims = figure.axes.map { $0.limits() }
        if figure.shareY {
            for r in 0..<figure.rows {
                let idx = (0..<figure.columns).map { r * figure.columns + $0 }
                let lo = idx.map { lims[$0].1.lowerBound }.min()!, hi = idx.map { lims[$0].1.upperBound }.max()!
                for i in idx { lims[i].1 = lo...hi }
            }
        }
        if figure.shareX {
            for col in 0..<figure.columns {
                let idx = (0..<figure.rows).map { $0 * figure.columns + col }
                let lo = idx.map { lims[$0].0.lowerBound }.min()!, hi = idx.map { lims[$0].0.upperBound }.max()!
                for i in idx { lims[i].0 = lo...hi }
            }
        }
        let cellW = W / Double(figure.columns), cellH = (H - top - 0.02 * H) / Double(figure.rows)
        let titles = figure.axes.map { ax in ax.title.map { c.wrapped($0, size: fs * 1.2, width: 0.9 * cellW, maxLines: 2) } }
        let insets = layout(canvas: c, limits: lims, titles: titles, cellW: cellW, cellH: cellH)
        for r in 0..<figure.rows {
            for col in 0..<figure.columns {
                let i = r * figure.columns + col
                guard !figure.axes[i].hidden else { continue }
                drawAxes(figure.axes[i], limits: lims[i], canvas: c, cell: (Double(col) * cellW, top + Double(r) * cellH, cellW, cellH),
                         insets: insets[i], title: titles[i])
            }
        }
        try c.finish()
    }

    /// Frame insets for every axes, aligned as matplotlib's constrained layout
    /// aligns them: one top and bottom per row (titles, ticks, x label), one
    /// left and right per column (y label, tick labels, an outside legend).
    func layout(canvas c: CairoCanvas, limits: [(ClosedRange<Double>, ClosedRange<Double>)],
                titles: [(lines: [String], size: Double)?], cellW: Double, cellH: Double) -> [Insets] {
        let fs = figure.fontSize, R = figure.rows, C = figure.columns
        var ins = [Insets](repeating: Insets(), count: R * C)
        for (i, ax) in figure.axes.enumerated() where !ax.hidden {
            ins[i].top = titles[i].map { Double($0.lines.count) * $0.size * 1.2 + fs * 0.9 } ?? fs * 0.6
            ins[i].bottom = (ax.showTicks ? fs * 1.9 : 4) + (ax.xLabel != nil ? fs * 1.5 : 0) + 4
        }
        for r in 0..<R {
            let row = (0..<C).map { r * C + $0 }.filter { !figure.axes[$0].hidden }
            let t = row.map { ins[$0].top }.max() ?? 0, b = row.map { ins[$0].bottom }.max() ?? 0
            for i in row { ins[i].top = t; ins[i].bottom = b }
        }
        for (i, ax) in figure.axes.enumerated() where !ax.hidden {
            ins[i].right = max(0.03 * cellW, 10)
            if ax.legend == .outsideRight, !ax.legendEntries.isEmpty { ins[i].right += legendSize(ax, canvas: c).0 + fs }
            let labels = ax.showTicks ? yTickLabels(ax, limits: limits[i].1, height: cellH - ins[i].top - ins[i].bottom).1 : []
            let w = labels.map { c.textWidth($0, size: fs) }.max() ?? 0
            ins[i].left = 0.02 * cellW + (ax.yLabel != nil ? fs * 1.6 : 0) + w + (ax.showTicks ? 7 : 2)
        }
        for col in 0..<C {
            let column = (0..<R).map { $0 * C + col }.filter { !figure.axes[$0].hidden }
            let l = column.map { ins[$0].left }.max() ?? 0, rt = column.map { ins[$0].right }.max() ?? 0
            for i in column { ins[i].left = l; ins[i].right = rt }
        }
        return ins
    }

    /// The y ticks and their labels for a frame `height` points tall.
    func yTickLabels(_ ax: Axes, limits yl: ClosedRange<Double>, height: Double) -> ([Double], [String]) {
        if ax.yScale == .log { let t = Ticks.locateLog(yl.lowerBound, yl.upperBound); return (t, Ticks.logLabels(t)) }
        let t = Ticks.locate(yl.lowerBound, yl.upperBound,
                             maxIntervals: Ticks.maxIntervals(axisLength: height, fontSize: figure.fontSize, horizontal: false))
        return (t, Ticks.labels(t))
    }

    func drawAxes(_ ax: Axes, limits: (ClosedRange<Double>, ClosedRange<Double>), canvas c: CairoCanvas,
                  cell: (Double, Double, Double, Double), insets: Insets, title: (lines: [String], size: Double)?) {
        let fs = figure.fontSize
        let (xl, yl) = limits
        var px = cell.0 + insets.left, py = cell.1 + insets.top
        var pw = cell.2 - insets.left - insets.right, ph = cell.3 - insets.top - insets.bottom
        var (yt, ylab) = yTickLabels(ax, limits: yl, height: ph)
        if ax.equalAspect {
            let s = min(pw, ph); px += (pw - s) / 2; py += (ph - s) / 2; pw = s; ph = s
            (yt, ylab) = yTickLabels(ax, limits: yl, height: ph)
        }
        var xt = ax.xScale == .log ? Ticks.locateLog(xl.lowerBound, xl.upperBound)
            : Ticks.locate(xl.lowerBound, xl.upperBound, maxIntervals: Ticks.maxIntervals(axisLength: pw, fontSize: fs, horizontal: true),
                           integer: ax.xIntegerTicks)
        var xlab = ax.xScale == .log ? Ticks.logLabels(xt) : Ticks.labels(xt)
        if let cat = ax.xTickLabels { xt = cat.map(\.0); xlab = cat.map(\.1) }
        func tx(_ v: Double) -> Double {
            if ax.xScale == .log { return px + (log10(v) - log10(xl.lowerBound)) / (log10(xl.upperBound) - log10(xl.lowerBound)) * pw }
            return px + (v - xl.lowerBound) / (xl.upperBound - xl.lowerBound) * pw
        }
        func ty(_ v: Double) -> Double {
            if ax.yScale == .log { return py + ph - (log10(v) - log10(yl.lowerBound)) / (log10(yl.upperBound) - log10(yl.lowerBound)) * ph }
            return py + ph - (v - yl.lowerBound) / (yl.upperBound - yl.lowerBound) * ph
        }
        if ax.grid {
            let g = Color(hex: "#b0b0b0").withAlpha(0.5)
            if ax.xTickLabels == nil { for t in xt { c.polyline([(tx(t), py), (tx(t), py + ph)], color: g, width: 0.8) } }
            for t in yt { c.polyline([(px, ty(t)), (px + pw, ty(t))], color: g, width: 0.8) }
        }
        c.clip(px, py, pw, ph)
        drawSeries(ax, canvas: c, frame: (px, py, pw, ph), yLimits: yl, tx: tx, ty: ty)
        c.unclip()
        // Spines, ticks, labels.
        c.rect(px, py, pw, ph, fill: nil, stroke: .black, width: 0.8)
        if ax.showTicks {
            for (t, l) in zip(xt, xlab) {
                let x = tx(t)
                c.polyline([(x, py + ph), (x, py + ph + 3.5)], color: .black, width: 0.8)
                c.text(l, x: x, y: py + ph + 3.5 + 3.5, size: fs, ha: 0.5, va: 0)
            }
            for (t, l) in zip(yt, ylab) {
                let y = ty(t)
                c.polyline([(px - 3.5, y), (px, y)], color: .black, width: 0.8)
                c.text(l, x: px - 3.5 - 3.5, y: y, size: fs, ha: 1, va: 0.5)
            }
        }
        if let l = ax.xLabel { c.text(l, x: px + pw / 2, y: py + ph + (ax.showTicks ? fs * 1.9 : 4) + 3, size: fs, ha: 0.5, va: 0) }
        if let l = ax.yLabel { c.text(l, x: cell.0 + 0.02 * cell.2 + fs * 0.6, y: py + ph / 2, size: fs, ha: 0.5, va: 0.5, rotate: true) }
        if let t = title {
            for (k, l) in t.lines.enumerated() {
                c.text(l, x: px + pw / 2, y: py - fs * 0.45 - Double(t.lines.count - 1 - k) * t.size * 1.2, size: t.size, ha: 0.5, va: 1)
            }
        }
        drawLegend(ax, canvas: c, frame: (px, py, pw, ph), tx: tx, ty: ty)
    }
}
