import CCairo
import Foundation

/// The legend: its size and where it goes.
extension Renderer {
    func legendSize(_ ax: Axes, canvas c: CairoCanvas) -> (Double, Double) {
        let fs = figure.fontSize * 0.9
        let w = (ax.legendEntries.map { c.textWidth($0.label, size: fs) }.max() ?? 0) + fs * 1.8 + fs * 1.4
        return (w, Double(ax.legendEntries.count) * fs * 1.4 + fs * 0.6)
    }

    func drawLegend(_ ax: Axes, canvas c: CairoCanvas, frame: (Double, Double, Double, Double),
                    tx: (Double) -> Double, ty: (Double) -> Double) {
        let entries = ax.legendEntries
        guard !entries.isEmpty, ax.legend != .none else { return }
        let fs = figure.fontSize * 0.9
        let rowH = fs * 1.4, sample = fs * 1.8
        let (w, h) = legendSize(ax, canvas: c)
        let pad = fs * 0.5
        let (px, py, pw, ph) = frame
        let corners: [LegendPlacement: (Double, Double)] = [
            .outsideRight: (px + pw + figure.fontSize, py),
            .upperRight: (px + pw - w - pad, py + pad), .upperLeft: (px + pad, py + pad),
            .lowerLeft: (px + pad, py + ph - h - pad), .lowerRight: (px + pw - w - pad, py + ph - h - pad),
        ]
        var place = ax.legend
        if place == .best {
            let pts = ax.points.map { (tx($0.0), ty($0.1)) }
            var best = Int.max
            for p in [LegendPlacement.upperRight, .upperLeft, .lowerLeft, .lowerRight] {
                let (x0, y0) = corners[p]!
                let covered = pts.filter { $0.0 >= x0 && $0.0 <= x0 + w && $0.1 >= y0 && $0.1 <= y0 + h }.count
                if covered < best { best = covered; place = p }
            }
        }
        guard let (x0, y0) = corners[place] else { return }
        c.rect(x0, y0, w, h, fill: Color.white.withAlpha(0.85), stroke: Color(hex: "#cccccc"), width: 0.8)
        for (k, e) in entries.enumerated() {
            let yc = y0 + fs * 0.3 + rowH * (Double(k) + 0.5)
            let xs = x0 + fs * 0.5
            if e.isLine { c.polyline([(xs, yc), (xs + sample, yc)], color: e.color, width: 1.5) }
            if e.marker != .none { c.marker(e.marker, x: xs + sample / 2, y: yc, size: 6, fill: e.color, edge: nil) }
            c.text(e.label, x: xs + sample + fs * 0.5, y: yc, size: fs, ha: 0, va: 0.5)
        }
    }
}
