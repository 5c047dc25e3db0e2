import Foundation

/// Marker shapes, sized in points (the marker's width).
public enum Marker: String, Sendable, CaseIterable {
    case circle, star, square, triangle, cross, none
}

/// Where the legend goes; `.best` tries the four corners and takes the one
/// that covers the fewest data points (ties: upper right, upper left, lower
/// left, lower right, as matplotlib orders them).
public enum LegendPlacement: Sendable, Equatable {
    case best, upperRight, upperLeft, lowerLeft, lowerRight, none
    /// To the right of the axes, outside the data area (the axes shrink to make room).
    case outsideRight
}

public enum Scale: Sendable { case linear, log }

/// One thing drawn in an axes.
public enum Series: Sendable {
    case scatter(x: [Double], y: [Double], colors: [Color], marker: Marker, size: Double, edge: Color?, label: String?)
    case line(x: [Double], y: [Double], color: Color, width: Double, marker: Marker, dashed: Bool, label: String?)
    case band(x: [Double], lower: [Double], upper: [Double], color: Color)
    case text(x: Double, y: Double, string: String, color: Color, size: Double)
    case vline(x: Double, color: Color, dashed: Bool)
    /// Bars from 0 to `height`, centred at `x`, with optional error whiskers from `low` to `high`.
    case bars(x: [Double], height: [Double], width: Double, color: Color, low: [Double]?, high: [Double]?, label: String?)
}

/// A panel: data series, limits, labels, ticks, grid and legend.
public struct Axes: Sendable {
    public var title: String?
    public var xLabel: String?
    public var yLabel: String?
    public var xLimits: ClosedRange<Double>?
    public var yLimits: ClosedRange<Double>?
    public var xScale: Scale = .linear
    public var yScale: Scale = .linear
    public var grid = false
    public var legend: LegendPlacement = .best
    public var showTicks = true
    public var equalAspect = false
    /// Not drawn at all (the unused cells of a grid).
    public var hidden = false
    public private(set) var series: [Series] = []
    /// Relative margin added to data limits (matplotlib: 0.05).
    public var margin = 0.05
    /// Whole-number x ticks only (epochs, counts), as MaxNLocator(integer=True).
    public var xIntegerTicks = false
    /// Category ticks: labels at given x positions instead of numbers (bar charts).
    public var xTickLabels: [(Double, String)]? = nil

    public init(title: String? = nil) { self.title = title }

    public mutating func scatter(x: [Double], y: [Double], color: Color, marker: Marker = .circle, size: Double = 6,
                                 edge: Color? = nil, label: String? = nil) {
        series.append(.scatter(x: x, y: y, colors: [color], marker: marker, size: size, edge: edge, label: label))
    }

    /// Scatter with one colour per point.
    public mutating func scatter(x: [Double], y: [Double], colors: [Color], marker: Marker = .circle, size: Double = 6,
                                 edge: Color? = nil, label: String? = nil) {
        series.append(.scatter(x: x, y: y, colors: colors, marker: marker, size: size, edge: edge, label: label))
    }

    public mutating func line(x: [Double], y: [Double], color: Color, width: Double = 1.5, marker: Marker = .none,
                              dashed: Bool = false, label: String? = nil) {
        series.append(.line(x: x, y: y, color: color, width: width, marker: marker, dashed: dashed, label: label))
    }

    /// A filled band between two curves (e.g. min–max over seeds), drawn translucent.
    public mutating func band(x: [Double], lower: [Double], upper: [Double], color: Color) {
        series.append(.band(x: x, lower: lower, upper: upper, color: color))
    }

    public mutating func text(_ s: String, x: Double, y: Double, color: Color = .black, size: Double = 9) {
        series.append(.text(x: x, y: y, string: s, color: color, size: size))
    }

    /// Bars (matplotlib's `bar` with `yerr`): heights from 0 at positions x, width in
    /// data units; `low`/`high` draw whiskers with caps (e.g. a 95 % interval).
    public mutating func bars(x: [Double], height: [Double], width: Double = 0.8, color: Color,
                              low: [Double]? = nil, high: [Double]? = nil, label: String? = nil) {
        precondition(x.count == height.count && (low?.count ?? x.count) == x.count && (high?.count ?? x.count) == x.count)
        series.append(.bars(x: x, height: height, width: width, color: color, low: low, high: high, label: label))
    }

    public mutating func verticalLine(x: Double, color: Color = .gray, dashed: Bool = true) {
        series.append(.vline(x: x, color: color, dashed: dashed))
    }

    /// Data limits with margins (or the limits set), per axis.
    func limits() -> (ClosedRange<Double>, ClosedRange<Double>) {
        var xs: [Double] = [], ys: [Double] = []
        for s in series {
            switch s {
            case .scatter(let x, let y, _, _, _, _, _), .line(let x, let y, _, _, _, _, _): xs += x; ys += y
            case .band(let x, let lo, let hi, _): xs += x; ys += lo + hi
            case .text(let x, let y, _, _, _): xs.append(x); ys.append(y)
            case .vline(let x, _, _): xs.append(x)
            case .bars(let x, let h, let w, _, let lo, let hi, _):
                xs += x.map { $0 - w / 2 } + x.map { $0 + w / 2 }
                ys += h + [0] + (lo ?? []) + (hi ?? [])
            }
        }
        func lim(_ v: [Double], _ set: ClosedRange<Double>?, _ scale: Scale) -> ClosedRange<Double> {
            if let set { return set }
            let f = v.filter { $0.isFinite && (scale == .linear || $0 > 0) }
            guard var lo = f.min(), var hi = f.max() else { return 0...1 }
            if scale == .log {
                let a = log10(lo), b = log10(hi), m = max(b - a, 1e-9) * margin
                return pow(10, a - m)...pow(10, b + m)
            }
            if lo == hi { lo -= lo == 0 ? 1 : abs(lo) * 0.05; hi += hi == 0 ? 1 : abs(hi) * 0.05 }
            let m = (hi - lo) * margin
            return (lo - m)...(hi + m)
        }
        var x = lim(xs, xLimits, xScale), y = lim(ys, yLimits, yScale)
        if equalAspect && xLimits == nil && yLimits == nil {
            let w = x.upperBound - x.lowerBound, h = y.upperBound - y.lowerBound
            if w > h { let c = (y.lowerBound + y.upperBound) / 2; y = (c - w / 2)...(c + w / 2) }
            else { let c = (x.lowerBound + x.upperBound) / 2; x = (c - h / 2)...(c + h / 2) }
        }
        return (x, y)
    }

    /// Legend entries, from the series that carry a label.
    public var legendEntries: [LegendEntry] {
        series.compactMap {
            switch $0 {
            case .scatter(_, _, let c, let m, _, _, let l): return l.map { LegendEntry($0, color: c.first ?? .black, marker: m) }
            case .line(_, _, let c, _, let m, _, let l): return l.map { LegendEntry($0, color: c, marker: m, isLine: true) }
            case .bars(_, _, _, let c, _, _, let l): return l.map { LegendEntry($0, color: c, marker: .square) }
            default: return nil
            }
        }
    }

    /// An axes that is not drawn (an unused cell of a grid).
    public static var hiddenCell: Axes { var a = Axes(); a.hidden = true; a.legend = .none; return a }

    /// All plotted points, for legend placement.
    var points: [(Double, Double)] {
        series.flatMap { s -> [(Double, Double)] in
            switch s {
            case .scatter(let x, let y, _, _, _, _, _), .line(let x, let y, _, _, _, _, _): return Array(zip(x, y))
            case .bars(let x, let h, let w, _, let low, let hi, _):
                // Points along each bar and its whisker, so the legend avoids them.
                func lo(_ i: Int) -> Double { low?[i] ?? h[i] }
                var pts: [(Double, Double)] = []
                for i in x.indices {
                    let l = x[i] - w / 2, r = x[i] + w / 2
                    for f in [0, 0.1, 0.25, 0.5, 0.75, 1.0] { pts += [(l, h[i] * f), (x[i], h[i] * f), (r, h[i] * f)] }
                    pts += [(x[i], hi?[i] ?? h[i]), (x[i], lo(i))]
                }
                return pts
            default: return []
            }
        }
    }
}

/// A figure: a grid of axes, a size in inches, a resolution, an optional title.
/// Drawn with Cairo to PNG, SVG or PDF from the same code.
public struct Figure: Sendable {
    public var width: Double
    public var height: Double
    public var dpi: Double
    public var title: String?
    public let rows: Int
    public let columns: Int
    public var axes: [Axes]
    /// Font size of tick labels in points (matplotlib: 10); titles and labels scale from it.
    public var fontSize = 10.0
    public var palette: Palette = .tab10
    /// Axes in one row share their y range; in one column, their x range.
    public var shareX = false
    public var shareY = false
    /// A legend for the whole figure, drawn in rows under the title (matplotlib's
    /// `fig.legend(loc="upper center", ncols=…)`); empty for none.
    public var legend: [LegendEntry] = []

    public init(rows: Int = 1, columns: Int = 1, width: Double = 6.4, height: Double = 4.8, dpi: Double = 100, title: String? = nil) {
        precondition(rows >= 1 && columns >= 1)
        self.rows = rows; self.columns = columns; self.width = width; self.height = height; self.dpi = dpi; self.title = title
        axes = [Axes](repeating: Axes(), count: rows * columns)
    }

    public subscript(row: Int, column: Int) -> Axes {
        get { axes[row * columns + column] }
        set { axes[row * columns + column] = newValue }
    }

    /// Writes the figure; the format follows the extension (.png, .svg, .pdf).
    /// The file is written to a temporary name and renamed into place.
    /// Draws the figure into `temporary` in the format `path`'s extension names,
    /// leaving the publishing (a rename to `path`) to the caller.
    /// The largest raster accepted: 64 M pixels (256 MB of RGBA), e.g. a 6.4 × 4.8 in figure at 1,290 dpi.
    public static let maxPixels = 64_000_000

    /// Refuses a resolution that is not a positive number or whose raster would exceed `maxPixels`.
    public static func checkResolution(width: Double = 6.4, height: Double = 4.8, dpi: Double) throws {
        guard dpi > 0, dpi.isFinite, (width * dpi) * (height * dpi) <= Double(maxPixels) else {
            throw PlotError.tooLarge(width: width, height: height, dpi: dpi)
        }
    }

    public func render(as path: String, into temporary: String) throws {
        try Self.checkResolution(width: width, height: height, dpi: dpi)
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        guard let format = OutputFormat(rawValue: ext) else { throw PlotError.unknownFormat(path: path) }
        try Renderer(figure: self).render(format: format, path: temporary)
    }

    public func save(_ path: String) throws {
        try Self.checkResolution(width: width, height: height, dpi: dpi)
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        guard let format = OutputFormat(rawValue: ext) else { throw PlotError.unknownFormat(path: path) }
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: dir) else { throw PlotError.missingFolder(path: path, folder: dir) }
        let tmp = dir + "/." + URL(fileURLWithPath: path).lastPathComponent + ".tmp-\(getpid())"
        do {
            try Renderer(figure: self).render(format: format, path: tmp)
            guard rename(tmp, path) == 0 else { throw PlotError.unwritable(path: path) }
        } catch {
            unlink(tmp)
            throw error
        }
    }

    /// PNG bytes (for tests and callers that write elsewhere).
    public func pngData() throws -> Data {
        let tmp = NSTemporaryDirectory() + "plot-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).png"
        defer { unlink(tmp) }
        try Renderer(figure: self).render(format: .png, path: tmp)
        return FileManager.default.contents(atPath: tmp) ?? Data()
    }
}

public enum OutputFormat: String, Sendable { case png, svg, pdf }

public enum PlotError: LocalizedError, Equatable {
    case unknownFormat(path: String)
    case missingFolder(path: String, folder: String)
    case unwritable(path: String)
    case cairo(String)
    case tooLarge(width: Double, height: Double, dpi: Double)
    case badStyle(String)
    public var errorDescription: String? {
        switch self {
        case .tooLarge(let w, let h, let dpi):
            if !(dpi.isFinite && dpi > 0) { return "--dpi \(dpi) is not a resolution; give a number of dots per inch > 0 (e.g. 100)" }
            let px = (w * dpi).rounded() * (h * dpi).rounded()
            return String(format: "--dpi %g gives %.0f × %.0f pixels for a %g × %g in figure (%.0f M pixels); the limit is %d M pixels: lower --dpi",
                          dpi, w * dpi, h * dpi, w, h, px / 1e6, Figure.maxPixels / 1_000_000)
        case .unknownFormat(let p): return "\(p): unknown figure format; use .png, .svg or .pdf"
        case .missingFolder(let p, let f): return "cannot write \(p): folder \(f) does not exist; create it first"
        case .unwritable(let p): return "cannot write \(p); check permissions and free space"
        case .cairo(let m): return "drawing failed: \(m)"
        case .badStyle(let m): return m
        }
    }
}

/// Decoded pixels of a PNG (ARGB32, premultiplied), for image comparisons.
public struct PixelImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// 4 bytes per pixel: B, G, R, A (Cairo's little-endian ARGB32).
    public var bytes: [UInt8]

    public static func read(png path: String) throws -> PixelImage { try PNGReader.read(path) }

    /// Mean absolute difference per channel (0–255) and the share of pixels that differ by more than `threshold`.
    public func difference(_ o: PixelImage, threshold: Int = 16) -> (mean: Double, share: Double)? {
        guard width == o.width, height == o.height else { return nil }
        var sum = 0, differing = 0
        for p in 0..<(width * height) {
            var worst = 0
            for c in 0..<4 { let d = abs(Int(bytes[4 * p + c]) - Int(o.bytes[4 * p + c])); sum += d; worst = max(worst, d) }
            if worst > threshold { differing += 1 }
        }
        return (Double(sum) / Double(4 * width * height), Double(differing) / Double(width * height))
    }
}
