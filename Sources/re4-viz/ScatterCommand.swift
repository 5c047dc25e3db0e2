import ArgumentParser
import Foundation
import Plot
import Re4CLI
import Re4Viz

struct ScatterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scatter",
        abstract: "Scatter plot of a 2-D embedding (.npy or CSV), optionally coloured by an integer label column.",
        discussion: """
            Examples:
              re4-viz tsne --points X.npy --out Y.npy && re4-viz scatter --points Y.npy \\
                  --out Y.png
              re4-viz scatter --points Y.csv --labels labels.csv --out Y.pdf \\
                  --marker-size 3 --size 5,5
            """)
    @Option(help: "N × 2 points (.npy or .csv).") var points: String
    @Option(help: "Optional N × 1 integer labels (.npy or .csv) for colours.") var labels: String?
    @Option(help: "Output figure (.png, .svg, .pdf).") var out: String
    @Option(help: "Marker size in points.") var markerSize: Double = 3
    @Option(help: "Figure title.") var title: String?
    @Option(help: "Resolution of PNG output.") var dpi: Double = 100
    @OptionGroup var style: FigureStyleOptions

    func validate() throws { try style.checkResolution(dpi: dpi) }

    func run() throws {
        let n = try PointsEmbedding.scatter(points: points, labels: labels, out: out, size: markerSize, title: title, dpi: dpi,
                                            style: try style.style())
        print("wrote \(out) (\(n) points)")
    }
}
