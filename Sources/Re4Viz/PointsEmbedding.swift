import Foundation
import Plot
import Re4Core
import TSNE

/// `re4-viz tsne --points`: the t-SNE of any matrix (.npy or numeric CSV),
/// written as N × 2 coordinates (.npy/.csv) or drawn as a scatter (.png/.svg/.pdf).
public enum PointsEmbedding {
    /// How the output path is used, from its extension.
    public enum Output: Equatable {
        case coordinates
        case figure
        public init(path: String) throws {
            switch URL(fileURLWithPath: path).pathExtension.lowercased() {
            case "npy", "csv": self = .coordinates
            case "png", "svg", "pdf": self = .figure
            default:
                throw VizError.badInput("\(path): --out must end in .npy or .csv (coordinates) or .png, .svg or .pdf (a scatter plot)")
            }
        }
    }

    public struct Result {
        public var n: Int, dim: Int
        public var tsne: TSNEResult
        /// Printed lines: what was done, and the quality report when asked.
        public var lines: [String]
    }

    /// Reads `input`, embeds it and writes `out`.
    /// - Parameter report: also compute exact KL, kNN preservation and T(10).
    /// - Parameter place: new points to place into the finished embedding
    ///   (`TSNEPlacement`, openTSNE's `transform`) and where to write them (.npy or .csv).
    public static func run(input: String, out: String, options o: TSNEOptions, report: Bool, dpi: Double = 100, style: FigureStyle = FigureStyle(),
                           place: (points: String, out: String, options: PlacementOptions)? = nil,
                           neighborsOut: String? = nil,
                           progress: (TSNEProgress) -> Void = { _ in }) throws -> Result {
        let kind = try Output(path: out)
        if let place, try Output(path: place.out) != .coordinates {
            throw VizError.badInput("\(place.out): --placed-out must end in .npy or .csv")
        }
        let outputs = try OutputSet(outputs: [out] + (place.map { [$0.out] } ?? []) + (neighborsOut.map { [$0] } ?? []),
                                    inputs: [input] + (place.map { [$0.points] } ?? []))
        let x = try PointMatrix.read(path: input)
        var o = o
        o.keepNeighbors = neighborsOut != nil
        let r = try TSNE.embed(x.values, n: x.n, dim: x.dim, options: o, progress: progress)
        if let neighborsOut, let g = r.neighbors {
            // N × k int32 row indices (0-based), nearest first.
            try outputs.stage(neighborsOut, data: Npy.serialize(int32: g.indices, shape: [g.n, g.k]))
        }
        switch kind {
        case .coordinates:
            try outputs.stage(out, data: PointMatrix.embeddingBytes(r.embedding, n: x.n, npy: out.lowercased().hasSuffix(".npy")))
        case .figure:
            let fig = scatterFigure(r.embedding, n: x.n, title: "t-SNE of \(URL(fileURLWithPath: input).lastPathComponent) (\(x.n) points)", dpi: dpi).styled(style)
            try outputs.stage(out) { try fig.render(as: out, into: $0) }
        }
        var placedLine: String? = nil
        if let place {
            let q = try PointMatrix.read(path: place.points)
            guard q.dim == x.dim else { throw VizError.badInput("\(place.points): \(q.dim) columns, but the reference has \(x.dim)") }
            var po = place.options
            po.metric = o.metric; po.threads = o.threads
            let t0 = Date()
            let y = try TSNEPlacement.place(new: q.values, m: q.n, reference: x.values, n: x.n, dim: x.dim, embedding: r.embedding, options: po)
            let seconds = Date().timeIntervalSince(t0)
            try outputs.stage(place.out, data: PointMatrix.embeddingBytes(y, n: q.n, npy: place.out.lowercased().hasSuffix(".npy")))
            placedLine = "placed \(q.n) new points into the embedding (k = \(po.k), perplexity \(po.perplexity), \(po.iterations) iterations) in \(String(format: "%.2f", seconds))s → \(place.out)"
        }
        try outputs.commit()
        var lines = [String(format: "embedded %d × %d with %@ in %.1fs (%@ neighbours and affinities %.1fs, early exaggeration %.1fs, main %.1fs); KL estimate %.4f",
                            x.n, x.dim, r.method.rawValue, r.seconds.affinities + r.seconds.early + r.seconds.main,
                            r.approximateNeighbors ? "approximate" : "exact",
                            r.seconds.affinities, r.seconds.early, r.seconds.main, r.history.last?.kl ?? .nan)]
        if let placedLine { lines.append(placedLine) }
        if report {
            let data = o.metric == .cosine ? normalizedRows(x.values, n: x.n, dim: x.dim) : x.values
            let kl = TSNEQuality.exactKL(r.affinities, embedding: r.embedding, dof: o.dof)
            let knn = TSNEQuality.knnPreservation(input: data, n: x.n, dim: x.dim, embedding: r.embedding, threads: o.threads)
            let tw = TSNEQuality.trustworthiness(input: data, n: x.n, dim: x.dim, embedding: r.embedding, threads: o.threads)
            lines.append(String(format: "exact KL %.4f  kNN10 kept %.4f  T(10) %.4f", kl, knn, tw))
        }
        return Result(n: x.n, dim: x.dim, tsne: r, lines: lines)
    }

    /// A scatter of N × 2 coordinates, coloured by integer labels when given.
    public static func scatterFigure(_ y: [Double], n: Int, labels: [Int]? = nil, size: Double = 3, title: String?, dpi: Double) -> Figure {
        var fig = Figure(dpi: dpi, title: title)
        var ax = Axes()
        ax.scatter(x: (0..<n).map { y[2 * $0] }, y: (0..<n).map { y[2 * $0 + 1] },
                   colors: labels.map { $0.map { Palette.tab10.color($0) } } ?? [Palette.tab10.color(0)], marker: .circle, size: size)
        fig.axes[0] = ax
        return fig
    }

    /// `re4-viz scatter`: draws N × 2 points (.npy or CSV), optionally coloured by an N × 1 label file.
    /// - Returns: the number of points drawn.
    @discardableResult
    public static func scatter(points: String, labels: String?, out: String, size: Double, title: String?, dpi: Double,
                               style: FigureStyle = FigureStyle()) throws -> Int {
        let outputs = try OutputSet(outputs: [out], inputs: [points] + (labels.map { [$0] } ?? []))
        let p = try PointMatrix.read(path: points)
        guard p.dim == 2 else { throw VizError.badInput("\(points): expected N × 2 points, got N × \(p.dim)") }
        var classes: [Int]? = nil
        if let labels {
            let l = try PointMatrix.read(path: labels)
            guard l.n == p.n else { throw VizError.badInput("\(labels): \(l.n) labels for \(p.n) points") }
            classes = l.values.map { Int($0) }
        }
        let fig = scatterFigure(p.values.map(Double.init), n: p.n, labels: classes, size: size, title: title, dpi: dpi).styled(style)
        try outputs.stage(out) { try fig.render(as: out, into: $0) }
        try outputs.commit()
        return p.n
    }
}
