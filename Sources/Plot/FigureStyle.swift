import Foundation

/// One row of a legend: a label, its colour, its marker, and whether a line
/// sample is drawn under the marker.
public struct LegendEntry: Sendable, Equatable {
    public var label: String
    public var color: Color
    public var marker: Marker
    public var isLine: Bool
    public init(_ label: String, color: Color, marker: Marker = .square, isLine: Bool = false) {
        self.label = label; self.color = color; self.marker = marker; self.isLine = isLine
    }
}

/// What a user sets on any figure from the command line, as matplotlib's
/// `figsize`, `font.size`, `xlabel` and `ylabel` do. Unset fields keep what
/// the figure's builder chose.
public struct FigureStyle: Sendable, Equatable {
    /// Width and height in inches.
    public var width: Double?
    public var height: Double?
    /// Tick-label size in points; titles and labels scale from it.
    public var fontSize: Double?
    /// The x label of the bottom panel of each column ("" removes it).
    public var xLabel: String?
    /// The y label of the left panel of each row ("" removes it).
    public var yLabel: String?

    public init(width: Double? = nil, height: Double? = nil, fontSize: Double? = nil, xLabel: String? = nil, yLabel: String? = nil) {
        self.width = width; self.height = height; self.fontSize = fontSize; self.xLabel = xLabel; self.yLabel = yLabel
    }

    /// Reads "W,H" in inches (e.g. "6.4,4.8"); nil with the reason when it is not two positive numbers up to 100.
    public static func parseSize(_ s: String) -> Result<(Double, Double), PlotError> {
        let parts = s.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let w = parts[0], let h = parts[1], w > 0, h > 0, w <= 100, h <= 100 else {
            return .failure(.badStyle("--size \(s): give width and height in inches as W,H, each above 0 and at most 100 (e.g. 6.4,4.8)"))
        }
        return .success((w, h))
    }

    /// Refuses a font size that is not a positive number up to 72 points.
    public static func checkFontSize(_ v: Double) throws {
        guard v.isFinite, v > 0, v <= 72 else { throw PlotError.badStyle("--font-size \(v): give a size in points above 0 and at most 72") }
    }
}

extension Figure {
    /// The figure with `style` applied over its builder's choices.
    public func styled(_ style: FigureStyle) -> Figure {
        var f = self
        if let w = style.width { f.width = w }
        if let h = style.height { f.height = h }
        if let s = style.fontSize { f.fontSize = s }
        if let x = style.xLabel {
            for c in 0..<columns {
                guard let r = (0..<rows).last(where: { !f[$0, c].hidden }) else { continue }
                f[r, c].xLabel = x.isEmpty ? nil : x
            }
        }
        if let y = style.yLabel {
            for r in 0..<rows {
                guard let c = (0..<columns).first(where: { !f[r, $0].hidden }) else { continue }
                f[r, c].yLabel = y.isEmpty ? nil : y
            }
        }
        return f
    }
}

extension CairoCanvas {
    /// `s` broken at spaces into lines no wider than `width` at `size` (a word
    /// wider than `width` stays whole on its own line).
    func wrap(_ s: String, size: Double, width: Double) -> [String] {
        var lines: [String] = [], current = ""
        for word in s.split(separator: " ", omittingEmptySubsequences: true) {
            let candidate = current.isEmpty ? String(word) : current + " " + word
            if current.isEmpty || textWidth(candidate, size: size) <= width { current = candidate } else { lines.append(current); current = String(word) }
        }
        if !current.isEmpty { lines.append(current) }
        return lines.isEmpty ? [""] : lines
    }

    /// Lines of `s` at `size`, or at a smaller size when more than `maxLines`
    /// would be needed (down to half the size; beyond that the lines are kept).
    func wrapped(_ s: String, size: Double, width: Double, maxLines: Int) -> (lines: [String], size: Double) {
        var sz = size
        var lines = wrap(s, size: sz, width: width)
        while (lines.count > maxLines || lines.contains { textWidth($0, size: sz) > width }) && sz > size * 0.5 {
            sz *= 0.92
            lines = wrap(s, size: sz, width: width)
        }
        return (lines, sz)
    }
}
