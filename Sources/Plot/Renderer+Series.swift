import CCairo
import Foundation

/// The series of an axes, drawn in layers as matplotlib's default z-orders do
/// (patches 1, lines 2, text 3): every band first, then bars, then reference
/// lines and curves, then markers and scatters, then text, so that no run's
/// band greys another run's line.
extension Renderer {
    func drawSeries(_ ax: Axes, canvas c: CairoCanvas, frame: (Double, Double, Double, Double), yLimits yl: ClosedRange<Double>,
                    tx: (Double) -> Double, ty: (Double) -> Double) {
        let (_, py, _, ph) = frame
        for s in ax.series {
            if case .band(let x, let lo, let hi, let col) = s {
                let pts = zip(x, hi).map { (tx($0), ty($1)) } + zip(x, lo).reversed().map { (tx($0), ty($1)) }
                c.polygon(pts, fill: col.withAlpha(0.2))
            }
        }
        for s in ax.series {
            guard case .bars(let x, let h, let w, let col, let lo, let hi, _) = s else { continue }
            let y0 = ty(max(0, yl.lowerBound))
            for i in x.indices where h[i].isFinite {
                let a = tx(x[i] - w / 2), b = tx(x[i] + w / 2)
                c.rect(a, min(y0, ty(h[i])), b - a, abs(ty(h[i]) - y0), fill: col, stroke: nil)
            }
            guard let lo, let hi else { continue }
            let dark = Color(hex: "#262626")
            for i in x.indices where lo[i].isFinite && hi[i].isFinite {
                let xc = tx(x[i]), cap = min(4, (tx(x[i] + w / 2) - tx(x[i] - w / 2)) / 4)
                c.polyline([(xc, ty(lo[i])), (xc, ty(hi[i]))], color: dark, width: 1)
                c.polyline([(xc - cap, ty(lo[i])), (xc + cap, ty(lo[i]))], color: dark, width: 1)
                c.polyline([(xc - cap, ty(hi[i])), (xc + cap, ty(hi[i]))], color: dark, width: 1)
            }
        }
        for s in ax.series {
            switch s {
            case .vline(let x, let col, let dashed): c.polyline([(tx(x), py), (tx(x), py + ph)], color: col, width: 1, dashed: dashed)
            case .line(let x, let y, let col, let w, _, let dashed, _): c.polyline(zip(x, y).map { (tx($0), ty($1)) }, color: col, width: w, dashed: dashed)
            default: break
            }
        }
        for s in ax.series {
            switch s {
            case .line(let x, let y, let col, _, let m, _, _) where m != .none:
                for (a, b) in zip(x, y) { c.marker(m, x: tx(a), y: ty(b), size: 5, fill: col, edge: nil) }
            case .scatter(let x, let y, let cols, let m, let size, let edge, _):
                for (k, (a, b)) in zip(x, y).enumerated() where a.isFinite && b.isFinite {
                    c.marker(m, x: tx(a), y: ty(b), size: size, fill: cols[cols.count == 1 ? 0 : k], edge: edge)
                }
            default: break
            }
        }
        for s in ax.series {
            if case .text(let x, let y, let str, let col, let size) = s { c.text(str, x: tx(x), y: ty(y), size: size, color: col, ha: 0, va: 0.5) }
        }
    }

    /// The figure's own legend, centred in rows under the title; returns its height.
    func drawFigureLegend(canvas c: CairoCanvas, top: Double, width W: Double) -> Double {
        let fs = figure.fontSize * 0.9, sample = fs * 1.8, gap = fs * 1.2, rowH = fs * 1.5
        let widths = figure.legend.map { sample + fs * 0.4 + c.textWidth($0.label, size: fs) }
        var rows: [[Int]] = [[]], used = 0.0
        for (i, w) in widths.enumerated() {
            if !rows[rows.count - 1].isEmpty && used + gap + w > 0.94 * W { rows.append([]); used = 0 }
            used += (rows[rows.count - 1].isEmpty ? 0 : gap) + w
            rows[rows.count - 1].append(i)
        }
        for (r, row) in rows.enumerated() {
            let total = row.map { widths[$0] }.reduce(0, +) + gap * Double(row.count - 1)
            var x = (W - total) / 2
            let yc = top + rowH * (Double(r) + 0.5)
            for i in row {
                let e = figure.legend[i]
                if e.isLine { c.polyline([(x, yc), (x + sample, yc)], color: e.color, width: 1.5) }
                if e.marker != .none { c.marker(e.marker, x: x + sample / 2, y: yc, size: 7, fill: e.color, edge: e.marker == .star ? .black : nil) }
                c.text(e.label, x: x + sample + fs * 0.4, y: yc, size: fs, ha: 0, va: 0.5)
                x += widths[i] + gap
            }
        }
        return rowH * Double(rows.count)
    }
}
