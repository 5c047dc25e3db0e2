import CCairo
import Foundation

/// Owns a Cairo surface and context; both are released in deinit.
final class CairoCanvas {
    let surface: OpaquePointer
    let cr: OpaquePointer
    let format: OutputFormat
    let path: String

    init(format: OutputFormat, path: String, widthPt: Double, heightPt: Double, dpi: Double) throws {
        self.format = format; self.path = path
        switch format {
        case .png:
            let w = Int32((widthPt * dpi / 72).rounded()), h = Int32((heightPt * dpi / 72).rounded())
            surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h)
        case .svg:
            surface = cairo_svg_surface_create(path, widthPt, heightPt)
        case .pdf:
            surface = cairo_pdf_surface_create(path, widthPt, heightPt)
            // A fixed creation date keeps identical input → identical bytes.
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, "2022-04-25T00:00:00Z")
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "re4 toolkit Plot")
        }
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
            throw PlotError.cairo(String(cString: cairo_status_to_string(cairo_surface_status(surface))))
        }
        cr = cairo_create(surface)
        if format == .png { cairo_scale(cr, dpi / 72, dpi / 72) }
        cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL)
    }

    func finish() throws {
        cairo_show_page(cr)
        if format == .png {
            let st = cairo_surface_write_to_png(surface, path)
            guard st == CAIRO_STATUS_SUCCESS else { throw PlotError.cairo(String(cString: cairo_status_to_string(st))) }
        }
        cairo_surface_finish(surface)
        let st = cairo_surface_status(surface)
        guard st == CAIRO_STATUS_SUCCESS else { throw PlotError.cairo(String(cString: cairo_status_to_string(st))) }
        if format == .svg { try renumberSVGSurfaces() }
    }

    /// Cairo names SVG groups "surfaceN" from a process-wide counter, so the
    /// second figure drawn in one process would differ in those names; they are
    /// renumbered in order of first appearance so equal figures give equal bytes.
    func renumberSVGSurfaces() throws {
        guard let data = FileManager.default.contents(atPath: path) else { return }
        let text = String(decoding: data, as: UTF8.self)
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var map: [Substring: Int] = [:]
        var rest = text[...]
        while let r = rest.range(of: "surface") {
            out += rest[..<r.upperBound]
            var end = r.upperBound
            while end < rest.endIndex, rest[end].isNumber { end = rest.index(after: end) }
            let digits = rest[r.upperBound..<end]
            if !digits.isEmpty {
                if map[digits] == nil { map[digits] = map.count + 1 }
                out += String(map[digits]!)
            }
            rest = rest[end...]
        }
        out += rest
        try Data(out.utf8).write(to: URL(fileURLWithPath: path))
    }

    deinit {
        cairo_destroy(cr)
        cairo_surface_destroy(surface)
    }

    // MARK: Primitives (all in points)

    func color(_ c: Color) { cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a) }

    func textWidth(_ s: String, size: Double) -> Double {
        cairo_set_font_size(cr, size)
        var e = cairo_text_extents_t()
        cairo_text_extents(cr, s, &e)
        return e.x_advance
    }

    /// Draws text anchored at (x, y): ha 0 = left, 0.5 = centre, 1 = right; va likewise (0 = top, 1 = baseline-ish bottom).
    func text(_ s: String, x: Double, y: Double, size: Double, color c: Color = .black, ha: Double = 0.5, va: Double = 0.5,
              rotate: Bool = false, bold: Bool = false) {
        cairo_save(cr)
        cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cr, size)
        var fe = cairo_font_extents_t()
        cairo_font_extents(cr, &fe)
        let w = textWidth(s, size: size)
        let h = fe.ascent + fe.descent
        color(c)
        cairo_translate(cr, x, y)
        if rotate { cairo_rotate(cr, -Double.pi / 2) }
        cairo_move_to(cr, -w * ha, -h * va + fe.ascent)
        cairo_show_text(cr, s)
        cairo_restore(cr)
    }

    /// `size`, or smaller so that `s` fits in `width` (long titles shrink instead of overlapping).
    func fittingSize(_ s: String, size: Double, width: Double) -> Double {
        let w = textWidth(s, size: size)
        return w <= width ? size : max(size * 0.5, size * width / w)
    }

    func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: Color?, stroke: Color?, width: Double = 0.8) {
        cairo_rectangle(cr, x, y, w, h)
        if let fill { color(fill); if stroke != nil { cairo_fill_preserve(cr) } else { cairo_fill(cr) } }
        if let stroke { color(stroke); cairo_set_line_width(cr, width); cairo_stroke(cr) }
    }

    func polyline(_ pts: [(Double, Double)], color c: Color, width: Double, dashed: Bool = false) {
        guard pts.count >= 2 else { return }
        cairo_new_path(cr)
        var started = false
        for (x, y) in pts {
            if !x.isFinite || !y.isFinite { started = false; continue }
            if started { cairo_line_to(cr, x, y) } else { cairo_move_to(cr, x, y); started = true }
        }
        color(c)
        cairo_set_line_width(cr, width)
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT)
        if dashed { var d: [Double] = [3.7, 1.6]; cairo_set_dash(cr, &d, 2, 0) }
        cairo_stroke(cr)
        cairo_set_dash(cr, nil, 0, 0)
    }

    func polygon(_ pts: [(Double, Double)], fill: Color) {
        guard pts.count >= 3 else { return }
        cairo_new_path(cr)
        cairo_move_to(cr, pts[0].0, pts[0].1)
        for p in pts.dropFirst() { cairo_line_to(cr, p.0, p.1) }
        cairo_close_path(cr)
        color(fill)
        cairo_fill(cr)
    }

    /// A marker of width `size` points centred at (x, y).
    func marker(_ m: Marker, x: Double, y: Double, size: Double, fill: Color, edge: Color?) {
        let r = size / 2
        cairo_new_path(cr)
        switch m {
        case .none: return
        case .circle:
            cairo_arc(cr, x, y, r, 0, 2 * Double.pi)
        case .square:
            cairo_rectangle(cr, x - r * 0.9, y - r * 0.9, 1.8 * r, 1.8 * r)
        case .triangle:
            cairo_move_to(cr, x, y - r)
            cairo_line_to(cr, x + r * 0.95, y + r * 0.65)
            cairo_line_to(cr, x - r * 0.95, y + r * 0.65)
            cairo_close_path(cr)
        case .star:
            for k in 0..<10 {
                let rr = k % 2 == 0 ? r * 1.25 : r * 0.5
                let a = -Double.pi / 2 + Double(k) * Double.pi / 5
                if k == 0 { cairo_move_to(cr, x + rr * cos(a), y + rr * sin(a)) } else { cairo_line_to(cr, x + rr * cos(a), y + rr * sin(a)) }
            }
            cairo_close_path(cr)
        case .cross:
            cairo_move_to(cr, x - r, y - r); cairo_line_to(cr, x + r, y + r)
            cairo_move_to(cr, x - r, y + r); cairo_line_to(cr, x + r, y - r)
            color(fill); cairo_set_line_width(cr, max(1, size / 5)); cairo_stroke(cr)
            return
        }
        color(fill)
        if let edge { cairo_fill_preserve(cr); color(edge); cairo_set_line_width(cr, max(0.4, size / 12)); cairo_stroke(cr) }
        else { cairo_fill(cr) }
    }

    func clip(_ x: Double, _ y: Double, _ w: Double, _ h: Double) { cairo_save(cr); cairo_rectangle(cr, x, y, w, h); cairo_clip(cr) }
    func unclip() { cairo_restore(cr) }
}

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

    func legendSize(_ ax: Axes, canvas c: CairoCanvas) -> (Double, Double) {
        let fs = figure.fontSize * 0.9
        let w = (ax.legendEntries.map { c.textWidth($0.0, size: fs) }.max() ?? 0) + fs * 1.8 + fs * 1.4
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
            if e.3 { c.polyline([(xs, yc), (xs + sample, yc)], color: e.1, width: 1.5) }
            if e.2 != .none { c.marker(e.2, x: xs + sample / 2, y: yc, size: 6, fill: e.1, edge: nil) }
            c.text(e.0, x: xs + sample + fs * 0.5, y: yc, size: fs, ha: 0, va: 0.5)
        }
    }
}

enum PNGReader {
    static func read(_ path: String) throws -> PixelImage {
        let s = cairo_image_surface_create_from_png(path)
        defer { cairo_surface_destroy(s) }
        guard cairo_surface_status(s) == CAIRO_STATUS_SUCCESS else {
            throw PlotError.cairo("\(path): " + String(cString: cairo_status_to_string(cairo_surface_status(s))))
        }
        cairo_surface_flush(s)
        let w = Int(cairo_image_surface_get_width(s)), h = Int(cairo_image_surface_get_height(s))
        let stride = Int(cairo_image_surface_get_stride(s))
        guard let data = cairo_image_surface_get_data(s) else { throw PlotError.cairo("\(path): no pixel data") }
        var bytes = [UInt8](repeating: 0, count: w * h * 4)
        for y in 0..<h { for x in 0..<(w * 4) { bytes[y * w * 4 + x] = data[y * stride + x] } }
        return PixelImage(width: w, height: h, bytes: bytes)
    }
}
