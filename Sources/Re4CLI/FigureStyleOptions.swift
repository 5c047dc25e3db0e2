import ArgumentParser
import Foundation
import Plot

/// `--size`, `--font-size`, `--xlabel`, `--ylabel`: what matplotlib users set
/// on every figure (figsize, font.size, xlabel, ylabel), for every command
/// that draws one.
public struct FigureStyleOptions: ParsableArguments {
    @Option(help: "Figure size in inches, W,H (e.g. 6.4,4.8; default: the figure's own).") public var size: String?
    @Option(name: .customLong("font-size"), help: "Tick-label size in points; titles and labels scale from it.") public var fontSize: Double?
    @Option(help: "x-axis label of the bottom panels (\"\" removes it).") public var xlabel: String?
    @Option(help: "y-axis label of the left panels (\"\" removes it).") public var ylabel: String?

    public init() {}

    public func validate() throws { _ = try style() }

    /// Refuses a resolution whose raster would be too large at the size asked for (6.4 × 4.8 in when none is).
    public func checkResolution(dpi: Double) throws {
        let s = try style()
        try validating { try Figure.checkResolution(width: s.width ?? 6.4, height: s.height ?? 4.8, dpi: dpi) }
    }

    /// The style these options ask for; a bad size or font size is one ValidationError line.
    public func style() throws -> FigureStyle {
        var s = FigureStyle(xLabel: xlabel, yLabel: ylabel)
        if let size {
            switch FigureStyle.parseSize(size) {
            case .success(let wh): (s.width, s.height) = wh
            case .failure(let e): throw ValidationError(e.errorDescription ?? "\(e)")
            }
        }
        if let fontSize { try validating { try FigureStyle.checkFontSize(fontSize) }; s.fontSize = fontSize }
        return s
    }
}
