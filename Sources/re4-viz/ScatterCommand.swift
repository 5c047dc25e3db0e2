import ArgumentParser
import Foundation
import Plot
import Re4CLI
import Re4Core
import Re4Viz

struct ScatterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scatter",
        abstract: "Scatter plot of a 2-D embedding (.npy or CSV), optionally coloured by an integer label column.",
        discussion: """
            Examples:
              re4-viz tsne --points X.npy --out Y.npy && re4-viz scatter --points Y.npy --out Y.png
              re4-viz scatter --points Y.csv --labels labels.csv --out Y.pdf --size 3
            """)
    @Option(help: "N × 2 points (.npy or .csv).") var points: String
    @Option(help: "Optional N × 1 integer labels (.npy or .csv) for colours.") var labels: String?
    @Option(help: "Output figure (.png, .svg, .pdf).") var out: String
    @Option(help: "Marker size in points.") var size: Double = 3
    @Option(help: "Figure title.") var title: String?
    @Option(help: "Resolution of PNG output.") var dpi: Double = 100

    func validate() throws { try validating { try Figure.checkResolution(dpi: dpi) } }

    func run() throws {
        let p = try PointMatrix.read(path: points)
        guard p.dim == 2 else { throw VizError.badInput("\(points): expected N × 2 points, got N × \(p.dim)") }
        var colors = [Palette.tab10.color(0)]
        if let labels {
            let l = try PointMatrix.read(path: labels)
            guard l.n == p.n else { throw VizError.badInput("\(labels): \(l.n) labels for \(p.n) points") }
            colors = l.values.map { Palette.tab10.color(Int($0)) }
        }
        var fig = Figure(dpi: dpi, title: title)
        var ax = Axes()
        ax.scatter(x: (0..<p.n).map { Double(p.values[2 * $0]) }, y: (0..<p.n).map { Double(p.values[2 * $0 + 1]) },
                   colors: colors, marker: .circle, size: size)
        fig.axes[0] = ax
        try OutputPaths.checkDistinct(outputs: [out], inputs: [points] + (labels.map { [$0] } ?? []))
        try fig.save(out)
        print("wrote \(out) (\(p.n) points)")
    }
}
