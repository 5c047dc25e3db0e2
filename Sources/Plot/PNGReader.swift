import CCairo
import Foundation

/// Reads a PNG into RGBA pixels (for the tests' golden-image comparisons).
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
