import Foundation
import Plot
import Re4Core
import TSNE

/// `re4-viz embed` (and the older `re4-viz tsne --points`): the t-SNE of any matrix (.npy or numeric CSV),
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
    /// - Parameter options: the t-SNE's settings; its threads and seed are the context's.
    public static func run(input: String, out: String, options: TSNEOptions, report: Bool, dpi: Double = 100, style: FigureStyle = FigureStyle(),
                           place: (points: String, out: String, options: PlacementOptions)? = nil,
                           neighborsOut: String? = nil, context c: AnalysisContext,
                           progress: (TSNEProgress) -> Void = { _ in }) throws -> Result {
        let kind = try Output(path: out)
        if let place, try Output(path: place.out) != .coordinates {
            throw VizError.badInput("\(place.out): --placed-out must end in .npy or .csv")
        }
        let outputs = try OutputSet(outputs: [out] + (place.map { [$0.out] } ?? []) + (neighborsOut.map { [$0] } ?? []),
                                    inputs: [input] + (place.map { [$0.points] } ?? []))
        let x = try PointMatrix.read(path: input)
        var o = options
        o.threads = c.threads; o.seed = c.seed
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
            var f = scatterFigure(r.embedding, n: x.n, title: "t-SNE of \(URL(fileURLWithPath: input).lastPathComponent) (\(x.n) points)", dpi: dpi)
            f.axes[0].equalAspect = true
            let fig = f.styled(style)
            try outputs.stage(out) { try fig.render(as: out, into: $0) }
        }
        var placedLine: String? = nil
        if let place {
            let q = try PointMatrix.read(path: place.points)
            guard q.dim == x.dim else { throw VizError.badInput("\(place.points): \(q.dim) columns, but the reference has \(x.dim)") }
            var po = place.options
            po.metric = o.metric; po.threads = c.threads; po.dof = o.dof   // under the map's kernel
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
            let knn = TSNEQuality.knnPreservation(input: data, n: x.n, dim: x.dim, embedding: r.embedding, threads: c.threads)
            let tw = TSNEQuality.trustworthiness(input: data, n: x.n, dim: x.dim, embedding: r.embedding, threads: c.threads)
            lines.append(String(format: "exact KL %.4f  kNN10 kept %.4f  T(10) %.4f", kl, knn, tw))
        }
        return Result(n: x.n, dim: x.dim, tsne: r, lines: lines)
    }

    /// A scatter of N × 2 coordinates, coloured by integer labels when given.
    public static func scatterFigure(_ y: [Double], n: Int, title: String?, dpi: Double, size: Double = 3) -> Figure {
        var fig = Figure(dpi: dpi, title: title)
        var ax = Axes()
        ax.scatter(x: (0..<n).map { y[2 * $0] }, y: (0..<n).map { y[2 * $0 + 1] },
                   colors: [Palette.tab10.color(0)], marker: .circle, size: size)
        fig.axes[0] = ax
        return fig
    }

    /// Labels for N points, as strings: a .npy of any integer dtype (or whole
    /// floats), shape N or N × 1; or a text/CSV file with one label per line,
    /// numbers or names, with an optional header line.
    public static func readLabels(path: String, count n: Int) throws -> [String] {
        if path.lowercased().hasSuffix(".npy") {
            let t: (shape: [Int], values: [Int64])
            do { t = try Npy.readIntegers(path: path) } catch let e as NpyError {
                throw VizError.badInput("\(e.errorDescription ?? "\(e)"); labels in a .npy must be integers (any width) — save names as a text file, one per line")
            }
            guard t.shape.count == 1 || (t.shape.count == 2 && t.shape[1] == 1) else {
                throw VizError.badInput("\(path): labels must have shape (N,) or (N, 1), got \(t.shape)")
            }
            guard t.values.count == n else { throw VizError.badInput("\(path): \(t.values.count) labels for \(n) points; give one label per point") }
            return t.values.map { String($0) }
        }
        var lines: [String] = []
        let data = try readFile(path)
        try data.withUnsafeBytes { raw in
            try DelimitedText(delimiter: ",", quotes: true).forEachRow(in: raw) { line, f in
                guard f.count == 1 else {
                    throw VizError.badInput("\(path):\(line): \(f.count) fields; a label file holds one label per line")
                }
                lines.append(f[0].trimmingCharacters(in: .whitespaces))
            }
        }
        if lines.count == n + 1 { lines.removeFirst() }   // a header
        guard lines.count == n else { throw VizError.badInput("\(path): \(lines.count) labels for \(n) points; give one label per point (a header line is allowed)") }
        return lines
    }

    /// The categories of `labels` in display order: numerically when every label
    /// is a whole number, else alphabetically.
    public static func categories(_ labels: [String]) -> [String] {
        let distinct = Array(Set(labels))
        if distinct.allSatisfy({ Int($0) != nil }) { return distinct.sorted { Int($0)! < Int($1)! } }
        return distinct.sorted()
    }

    /// Legend entries shown at most; with more categories the largest are named.
    public static let legendLimit = 20

    /// A scatter of N × 2 coordinates coloured by category, with a legend and equal aspect.
    public static func scatterFigure(_ y: [Double], n: Int, labels: [String], size: Double, title: String?, dpi: Double) -> (Figure, [String]) {
        var fig = Figure(dpi: dpi, title: title)
        var ax = Axes()
        ax.equalAspect = true
        let cats = categories(labels)
        let colors = Palette.categorical(cats.count)
        var members = [String: [Int]]()
        for (i, l) in labels.enumerated() { members[l, default: []].append(i) }
        let named = Set(cats.sorted { members[$0]!.count > members[$1]!.count || (members[$0]!.count == members[$1]!.count && $0 < $1) }.prefix(legendLimit))
        for (c, cat) in cats.enumerated() {
            let idx = members[cat]!
            ax.scatter(x: idx.map { y[2 * $0] }, y: idx.map { y[2 * $0 + 1] }, color: colors[c], marker: .circle, size: size,
                       label: named.contains(cat) ? "\(cat) (\(idx.count))" : nil)
        }
        ax.legend = .outsideRight
        fig.axes[0] = ax
        var notes: [String] = []
        if cats.count > legendLimit { notes.append("note: \(cats.count) categories; the legend names the \(legendLimit) largest") }
        return (fig, notes)
    }

    /// `re4-viz scatter`: draws N × 2 points (.npy or CSV), optionally coloured by labels.
    /// - Returns: the number of points drawn and notes for stderr.
    @discardableResult
    public static func scatter(points: String, labels: String?, out: String, size: Double, title: String?, dpi: Double,
                               style: FigureStyle = FigureStyle()) throws -> (points: Int, notes: [String]) {
        let outputs = try OutputSet(outputs: [out], inputs: [points] + (labels.map { [$0] } ?? []))
        _ = try Output(path: out) == .figure ? () : { throw VizError.badInput("\(out): the figure must end in .png, .svg or .pdf") }()
        let p = try PointMatrix.read(path: points)
        guard p.dim == 2 else { throw VizError.badInput("\(points): expected N × 2 points, got N × \(p.dim)") }
        var notes: [String] = []
        let fig: Figure
        if let labels {
            let l = try readLabels(path: labels, count: p.n)
            let made = scatterFigure(p.values.map(Double.init), n: p.n, labels: l, size: size, title: title, dpi: dpi)
            fig = made.0.styled(style); notes = made.1
        } else {
            var f = scatterFigure(p.values.map(Double.init), n: p.n, title: title, dpi: dpi, size: size)
            f.axes[0].equalAspect = true
            fig = f.styled(style)
        }
        try outputs.stage(out) { try fig.render(as: out, into: $0) }
        try outputs.commit()
        return (p.n, notes)
    }
}
