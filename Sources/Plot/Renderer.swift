import CCairo
import Foundation

/// Lays out and draws a `Figure`.
struct Renderer {
    let figure: Figure

    func render(format: OutputFormat, path: String) throws {
        let W = figure.width * 72, H = figure.height * 72
        let c = try CairoCanvas(format: format, path: path, widthPt: W, heightPt: H, dpi: figure.dpi)
        c.rect(0, 0, W, H, fill: .white, stroke: nil)
        let fs = figure.fontSize
        var top = 0.04 * H
        if let t = figure.title {
            c.text(t, x: W / 2, y: top, size: c.fittingSize(t, size: fs * 1.4, width: 0.96 * W), ha: 0.5, va: 0, bold: false)
            top += fs * 2.2
        }
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
        for r in 0..<figure.rows {
            for col in 0..<figure.columns {
                let i = r * figure.columns + col
                drawAxes(figure.axes[i], limits: lims[i], canvas: c, cell: (Double(col) * cellW, top + Double(r) * cellH, cellW, cellH))
            }
        }
        try c.finish()
    }

    func drawAxes(_ ax: Axes, limits: (ClosedRange<Double>, ClosedRange<Double>), canvas c: CairoCanvas,
                  cell: (Double, Double, Double, Double)) {
        let fs = figure.fontSize
        let (xl, yl) = limits
        // Vertical layout first (the y ticks' count depends on the panel height),
        // then the y tick labels' width fixes the left edge.
        let topY = cell.1 + (ax.title != nil ? fs * 2.0 : fs * 0.6)
        let bottom = cell.1 + cell.3 - (ax.showTicks ? fs * 1.9 : 4) - (ax.xLabel != nil ? fs * 1.5 : 0) - 4
        var py = topY, ph = bottom - topY
        var right = cell.0 + cell.2 - max(0.03 * cell.2, 10)
        if ax.legend == .outsideRight, !ax.legendEntries.isEmpty {
            right -= legendSize(ax, canvas: c).0 + fs
        }
        func yTicks(_ h: Double) -> [Double] {
            ax.yScale == .log ? Ticks.locateLog(yl.lowerBound, yl.upperBound)
                : Ticks.locate(yl.lowerBound, yl.upperBound, maxIntervals: Ticks.maxIntervals(axisLength: h, fontSize: fs, horizontal: false))
        }
        var yt = yTicks(ph)
        var ylab = ax.yScale == .log ? Ticks.logLabels(yt) : Ticks.labels(yt)
        let yLabelW = ax.showTicks ? (ylab.map { c.textWidth($0, size: fs) }.max() ?? 0) : 0
        let left = cell.0 + 0.02 * cell.2 + (ax.yLabel != nil ? fs * 1.6 : 0) + yLabelW + (ax.showTicks ? 7 : 2)
        var px = left, pw = right - left
        if ax.equalAspect {
            let s = min(pw, ph); px += (pw - s) / 2; py += (ph - s) / 2; pw = s; ph = s
            yt = yTicks(ph); ylab = ax.yScale == .log ? Ticks.logLabels(yt) : Ticks.labels(yt)
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
        var colorIndex = 0
        for s in ax.series {
            switch s {
            case .band(let x, let lo, let hi, let col):
                let pts = zip(x, hi).map { (tx($0), ty($1)) } + zip(x, lo).reversed().map { (tx($0), ty($1)) }
                c.polygon(pts, fill: col.withAlpha(0.2))
            case .line(let x, let y, let col, let w, let m, let dashed, _):
                c.polyline(zip(x, y).map { (tx($0), ty($1)) }, color: col, width: w, dashed: dashed)
                if m != .none { for (a, b) in zip(x, y) { c.marker(m, x: tx(a), y: ty(b), size: 5, fill: col, edge: nil) } }
                colorIndex += 1
            case .scatter(let x, let y, let cols, let m, let size, let edge, _):
                for (k, (a, b)) in zip(x, y).enumerated() where a.isFinite && b.isFinite {
                    c.marker(m, x: tx(a), y: ty(b), size: size, fill: cols[cols.count == 1 ? 0 : k], edge: edge)
                }
            case .text(let x, let y, let str, let col, let size):
                c.text(str, x: tx(x), y: ty(y), size: size, color: col, ha: 0, va: 0.5)
            case .vline(let x, let col, let dashed):
                c.polyline([(tx(x), py), (tx(x), py + ph)], color: col, width: 1, dashed: dashed)
            case .bars(let x, let h, let w, let col, let lo, let hi, _):
                let y0 = ty(max(0, yl.lowerBound))
                for i in x.indices where h[i].isFinite {
                    let a = tx(x[i] - w / 2), b = tx(x[i] + w / 2)
                    c.rect(a, min(y0, ty(h[i])), b - a, abs(ty(h[i]) - y0), fill: col, stroke: nil)
                }
                if let lo, let hi {
                    for i in x.indices where lo[i].isFinite && hi[i].isFinite {
                        let xc = tx(x[i]), cap = min(4, (tx(x[i] + w / 2) - tx(x[i] - w / 2)) / 4)
                        let dark = Color(hex: "#262626")
                        c.polyline([(xc, ty(lo[i])), (xc, ty(hi[i]))], color: dark, width: 1)
                        c.polyline([(xc - cap, ty(lo[i])), (xc + cap, ty(lo[i]))], color: dark, width: 1)
                        c.polyline([(xc - cap, ty(hi[i])), (xc + cap, ty(hi[i]))], color: dark, width: 1)
                    }
                }
            }
        }
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
        if let t = ax.title { c.text(t, x: px + pw / 2, y: py - fs * 0.5, size: c.fittingSize(t, size: fs * 1.2, width: cell.2 * 0.98), ha: 0.5, va: 1) }
        drawLegend(ax, canvas: c, frame: (px, py, pw, ph), tx: tx, ty: ty)
    }
}
