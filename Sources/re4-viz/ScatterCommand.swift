import ArgumentParser
import Foundation
import Plot
import Re4CLI
import Re4Viz

struct ScatterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scatter",
        abstract: "Scatter plot of a 2-D embedding (.npy or CSV), coloured by labels with a legend.",
        discussion: """
            Labels (--color-by): a .npy of any integer dtype, shape (N,) or (N, 1), or a text file with one \
            label per line (numbers or names; a header line is allowed). Up to 10 categories take matplotlib's \
            tab10, up to 20 tab20, more take distinct generated hues (the legend names the 20 largest). \
            The axes have equal aspect, as an embedding needs.

            Examples:
              re4-viz tsne --points X.npy --out Y.npy && re4-viz scatter Y.npy --out Y.png
              re4-viz scatter Y.csv --color-by genres.txt --out Y.pdf \\
                  --marker-size 3 --size 5,5
            """)
    @Argument(help: "N × 2 points (.npy or .csv).") var input: String?
    @Option(help: "The points (the same as the positional argument).") var points: String?
    @Option(help: "Labels for colours: integer .npy, or one label per line.") var colorBy: String?
    @Option(help: "Deprecated spelling of --color-by.") var labels: String?
    @Option(help: "Output figure (.png, .svg, .pdf).") var out: String
    @Option(help: "Marker size in points.") var markerSize: Double = 3
    @Option(help: "Figure title.") var title: String?
    @Option(help: "Resolution of PNG output.") var dpi: Double = 100
    @OptionGroup var style: FigureStyleOptions

    func validate() throws {
        try style.checkResolution(dpi: dpi)
        guard (input == nil) != (points == nil) else { throw ValidationError("give the points once: as the argument or as --points") }
        guard colorBy == nil || labels == nil else { throw ValidationError("give --color-by (or its old spelling --labels), not both") }
        guard markerSize.isFinite, markerSize > 0, markerSize <= 100 else {
            throw ValidationError("--marker-size \(markerSize) draws nothing visible; give a size in points from 0 to 100 (e.g. 3)")
        }
    }

    func run() throws {
        if labels != nil { printError("note: --labels is now --color-by for scatter; the old spelling still works") }
        let r = try PointsEmbedding.scatter(points: input ?? points!, labels: colorBy ?? labels, out: out, size: markerSize, title: title, dpi: dpi,
                                            style: try style.style())
        for n in r.notes { printError(n) }
        print("wrote \(out) (\(r.points) points)")
    }
}
