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
        let n = try PointsEmbedding.scatter(points: points, labels: labels, out: out, size: size, title: title, dpi: dpi)
        print("wrote \(out) (\(n) points)")
    }
}
