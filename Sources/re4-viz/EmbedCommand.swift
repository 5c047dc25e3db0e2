import ArgumentParser
import Foundation
import Re4CLI
import Re4Core
import Re4Viz
import TSNE

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "t-SNE of any matrix: coordinates or a figure, quality measures, new points placed into a finished map.",
        discussion: """
            Embeds a float32/float64 .npy (N × D) or numeric CSV with the pure-Swift t-SNE (docs/tsne.md). \
            --out .npy/.csv writes N × 2 coordinates, .png/.svg/.pdf draws them. --place puts new points \
            (same columns) into the finished map without moving it (as openTSNE's transform does). \
            (The same as the older spelling `re4-viz tsne --points`, kept for one release.)

            Examples:
              re4-viz embed X.npy --out Y.npy --report
              re4-viz embed X.csv --out Y.png --method bh --metric cosine --seed 1
              re4-viz embed REF.npy --out Y.npy --place NEW.npy --placed-out Ynew.npy
            """)
    @Argument(help: "The matrix to embed (.npy or .csv, N × D).") var points: String
    @OptionGroup var extra: PointsOutputOptions
    @Option(help: "Output: coordinates (.npy/.csv) or a figure (.png/.svg/.pdf).") var out: String
    @Option(help: "Resolution of PNG output.") var dpi: Double = 100
    @OptionGroup var style: FigureStyleOptions
    @OptionGroup var tsne: TSNEOptionGroup
    @Flag(help: "Print exact KL, kNN preservation (k = 10) and trustworthiness T(10).") var report = false
    @Flag(help: "Print progress every 50 iterations on stderr.") var verbose = false

    func validate() throws {
        try style.checkResolution(dpi: dpi)
    }

    func run() throws {
        try Self.embed(points: points, out: out, extra: extra, tsne: tsne, report: report, dpi: dpi, style: style, verbose: verbose)
    }

    /// The one job behind `embed` and the older `tsne --points`.
    static func embed(points: String, out: String, extra: PointsOutputOptions,
                      tsne: TSNEOptionGroup, report: Bool, dpi: Double, style: FigureStyleOptions, verbose: Bool) throws {
        let o = tsne.options(defaultMetric: .euclidean)
        let placing = extra.place.map { ($0, extra.placedOut!, PlacementOptions()) }
        let r = try PointsEmbedding.run(input: points, out: out, options: o, report: report, dpi: dpi, style: try style.style(), place: placing,
                                        neighborsOut: extra.neighborsOut, context: tsne.context()) { p in
            if verbose, p.klEvaluated { printError(String(format: "iteration %4d  %@  KL %.4f  %.1fs", p.iteration, p.phase, p.kl, p.seconds)) }
        }
        r.lines.forEach { print($0) }
    }
}
