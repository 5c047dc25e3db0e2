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
