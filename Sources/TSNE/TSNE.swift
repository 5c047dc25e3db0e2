import Dispatch
import RealModule

/// Settings of a t-SNE run. Defaults follow openTSNE (docs/tsne.md).
public struct TSNEOptions: Sendable {
    public var perplexity = 30.0
    /// Multiscale affinities (openTSNE's `MultiscaleMixture`, Lee et al. 2015):
    /// each point's conditional P is the mean of the Gaussian kernels calibrated
    /// to these perplexities, over the 3·max neighbours. nil: `perplexity` alone.
    public var perplexities: [Double]? = nil
    /// Exaggeration of the main phase (openTSNE's `exaggeration`; 1 = none).
    /// Values above 1 tighten clusters, as in Böhm et al. 2022.
    public var exaggeration = 1.0
    /// Degrees of freedom α of the embedding's kernel (1 + d²/α)^−α (openTSNE's
    /// `dof`; Kobak et al. 2019): 1 is t-SNE's Cauchy kernel, below 1 heavier
    /// tails that split clusters more finely.
    public var dof = 1.0
    /// How the input neighbours are found: exact (O(N²)), approximate
    /// (`NeighborGraph.approximate`), or auto (approximate from
    /// `TSNE.approximateThreshold` points).
    public var neighbors: NeighborSearch = .auto
    /// Return the neighbour graph with the result (`--neighbors-out`).
    public var keepNeighbors = false
    public enum NeighborSearch: String, Sendable, CaseIterable { case auto, exact, approximate }
    public var metric: TSNEMetric = .euclidean
    public var method: GradientMethod = .auto
    public var theta = 0.5
    /// Barnes–Hut: which size of a cell the opening test compares with θ·distance.
    public var bhCell: BHCell = .diagonal
    public enum BHCell: String, Sendable, CaseIterable {
        /// √2 × the side: the default, repulsion error under 1e-2 at θ = 0.5.
        case diagonal
        /// The side length, as openTSNE's quadtree has it.
        case side
    }
    public var earlyExaggeration = 12.0
    public var earlyIterations = 250
    public var iterations = 500
    public var momentum = 0.8
    /// nil = openTSNE's "auto": N / exaggeration.
    public var learningRate: Double? = nil
    public var maxStepNorm = 5.0
    public var minGain = 0.01
    public var initialization: Initialization = .pca
    public var seed: UInt64 = 42
    public var threads = 2
    /// FFT: interpolation nodes per box and the minimum number of boxes per axis.
    public var fftNodes = 3
    public var fftMinBoxes = 50
    /// Optimise in a memory order where input neighbours are near each other
    /// (true), in the input's order (false), or from `TSNE.localityThreshold`
    /// points (nil). The embedding differs only by rounding.
    public var localityOrder: Bool? = nil
    public enum Initialization: String, Sendable, CaseIterable { case pca, random }
    public init() {}
}

/// Progress every 50 iterations (and at the end of each phase).
public struct TSNEProgress: Sendable {
    public var iteration: Int
    public var phase: String
    /// KL(P‖Q), evaluated every 50 iterations and at the end of a phase; NaN otherwise.
    public var kl: Double
    public var seconds: Double
    /// Iterations of both phases (iteration 0 = the neighbours and affinities, before the first step).
    public var total: Int = 0
    /// N, the points being embedded.
    public var points: Int = 0
    public var klEvaluated: Bool { !kl.isNaN }
}

/// Where every embedding also reports its progress, for the whole of a job that
/// runs several (a figure set): set once by the executable around the job, so
/// the libraries in between need not pass a callback along. (A plain global
/// behind a lock: a `@TaskLocal` holding a closure crashed the release build.)
public enum TSNEProgressSink {
    nonisolated(unsafe) private static var sink: (@Sendable (TSNEProgress) -> Void)? = nil
    private static let lock = Lock()
    public static var current: (@Sendable (TSNEProgress) -> Void)? {
        lock.lock(); defer { lock.unlock() }
        return sink
    }
    private final class Lock: @unchecked Sendable {
        let s = DispatchSemaphore(value: 1)
        func lock() { s.wait() }
        func unlock() { s.signal() }
    }
    /// Runs `body` with `s` as the sink, restoring the previous one after.
    public static func with<T>(_ s: @escaping @Sendable (TSNEProgress) -> Void, _ body: () throws -> T) rethrows -> T {
        lock.lock(); let previous = sink; sink = s; lock.unlock()
        defer { lock.lock(); sink = previous; lock.unlock() }
        return try body()
    }
}

public struct TSNEResult: Sendable {
    /// N × 2, row-major.
    public var embedding: [Double]
    public var affinities: SparseAffinities
    public var history: [TSNEProgress]
    /// Seconds for the neighbour search + affinities, early exaggeration, main phase.
    public var seconds: (affinities: Double, early: Double, main: Double)
    public var method: GradientMethod
    /// The input neighbour graph, when `TSNEOptions.keepNeighbors` asked for it.
    public var neighbors: NeighborGraph? = nil
    /// Whether the neighbours were searched approximately.
    public var approximateNeighbors = false
}

public enum TSNE {
    /// `auto` uses Barnes–Hut below this many points and FFT interpolation
    /// above: the crossover measured on the benchmark mixture (20 clusters,
    /// D = 64, 2 threads; bench/README.md): BH 3.2 s vs FFT 4.6 s at 3,000
    /// points, 4.3 vs 4.4 at 4,000, 5.2 vs 4.1 at 5,000 (docs/tsne.md). The threshold
    /// first planned, 10,000, predates the radix-3 FFT lengths and the stricter BH test.
    public static let autoThreshold = 4_000
    /// From this many points `--neighbors auto` searches approximately
    /// (docs/tsne.md § Approximate neighbours, where it was measured).
    public static let approximateThreshold = 100_000
    /// From this many points the optimisation runs on the points renamed in the
    /// leaf order of a random-projection tree, so a point's input neighbours sit
    /// near it in memory (docs/tsne.md § Memory order).
    public static let localityThreshold = 100_000

    /// Embeds the rows of `x` (N × dim, row-major) in two dimensions.
    public static func embed(_ x: [Float], n: Int, dim: Int, options o: TSNEOptions = TSNEOptions(),
                             progress: (TSNEProgress) -> Void = { _ in }) throws -> TSNEResult {
        try validate(x, n: n, dim: dim, options: o)
        let sink = TSNEProgressSink.current
        return TSNEThreads.$count.withValue(max(1, o.threads)) {
            run(x, n: n, dim: dim, options: o) { p in progress(p); sink?(p) }
        }
    }

    /// The pipeline, with the thread count bound: neighbours, P, initialisation,
    /// the two optimisation phases.
    static func run(_ x: [Float], n: Int, dim: Int, options o: TSNEOptions, progress: (TSNEProgress) -> Void) -> TSNEResult {
        let t0 = DispatchTime.now().uptimeNanoseconds
        func seconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 }
        let totalIterations = o.earlyIterations + o.iterations
        progress(TSNEProgress(iteration: 0, phase: "neighbours", kl: .nan, seconds: 0, total: totalIterations, points: n))
        let data = o.metric == .cosine ? normalizedRows(x, n: n, dim: dim) : x
        let scales = o.perplexities ?? [o.perplexity]
        let k = min(n - 1, Int((3 * scales.max()!).rounded(.down)))
        let approximate = o.neighbors == .approximate || (o.neighbors == .auto && n >= approximateThreshold)
        var ao = NeighborGraph.ApproximateOptions(); ao.seed = o.seed
        let graph = data.withUnsafeBufferPointer {
            approximate ? NeighborGraph.approximate(points: $0.baseAddress!, n: n, dim: dim, k: k, options: ao)
                        : NeighborGraph.exact(points: $0.baseAddress!, n: n, dim: dim, k: k)
        }
        var P = o.perplexities.map { SparseAffinities.fromNeighbors(graph, perplexities: $0) }
            ?? SparseAffinities.fromNeighbors(graph, perplexity: o.perplexity)
        var y = initial(data, n: n, dim: dim, options: o)
        let order = (o.localityOrder ?? (n >= localityThreshold)) ? MemoryOrder(data, n: n, dim: dim, seed: o.seed) : nil
        order?.enter(&P, &y)
        let tAff = seconds()
        let method: GradientMethod = o.method == .auto ? (n < autoThreshold ? .bh : .fft) : o.method
        var history: [TSNEProgress] = []
        var opt = Optimizer(n: n)
        let phases: [(String, Double, Int)] = [("early exaggeration", o.earlyExaggeration, o.earlyIterations), ("main", o.exaggeration, o.iterations)]
        var tEarly = tAff
        var iteration = 0
        for (name, exag, iters) in phases {
            let lr = o.learningRate ?? max(Double(n) / exag, 50)
            for it in 0..<iters {
                iteration += 1
                let eval = (it + 1) % 50 == 0 || it == iters - 1
                let kl = y.withUnsafeMutableBufferPointer { yp in
                    opt.step(P, yp.baseAddress!, exaggeration: exag, learningRate: lr, momentum: o.momentum,
                             method: method, options: o, evaluateKL: eval)
                }
                let p = TSNEProgress(iteration: iteration, phase: name, kl: eval ? kl : .nan, seconds: seconds(), total: totalIterations, points: n)
                if eval { history.append(p) }
                progress(p)
            }
            if name != "main" { tEarly = seconds() }
        }
        order?.leave(&P, &y)
        let total = seconds()
        return TSNEResult(embedding: y, affinities: P, history: history,
                          seconds: (tAff, tEarly - tAff, total - tEarly), method: method,
                          neighbors: o.keepNeighbors ? graph : nil, approximateNeighbors: approximate)
    }

    static func validate(_ x: [Float], n: Int, dim: Int, options o: TSNEOptions) throws {
        guard n >= 4 else { throw TSNEError.tooFewPoints(n) }
        guard dim >= 1, x.count == n * dim else { throw TSNEError.badOption("the input must be N × D with D ≥ 1") }
        for (i, v) in x.enumerated() where !v.isFinite { throw TSNEError.nonFinite(row: i / dim, column: i % dim) }
        try o.check()
        for p in o.perplexities ?? [o.perplexity] where p > Double(n - 1) / 3 { throw TSNEError.perplexityTooLarge(perplexity: p, points: n) }
    }

    /// PCA (first coordinate scaled to standard deviation 1e-4) or N(0, 1e-4²).
    static func initial(_ x: [Float], n: Int, dim: Int, options o: TSNEOptions) -> [Double] {
        switch o.initialization {
        case .random:
            var rng = SplitMix64(seed: o.seed)
            return (0..<(2 * n)).map { _ in rng.normal() * 1e-4 }
        case .pca:
            var y = x.withUnsafeBufferPointer { pcaProjection($0.baseAddress!, n: n, dim: dim, seed: o.seed) }
            var mean = 0.0, sq = 0.0
            for i in 0..<n { mean += y[2 * i] }
            mean /= Double(n)
            for i in 0..<n { sq += (y[2 * i] - mean) * (y[2 * i] - mean) }
            let sd = (sq / Double(n)).squareRoot()
            let s = sd > 0 ? 1e-4 / sd : 1
            for i in 0..<(2 * n) { y[i] *= s }
            return y
        }
    }
}

/// Gradient descent with momentum and gains, as openTSNE: gains +0.2 where the
/// gradient's sign differs from the last update's, else ×0.8 + min_gain; the
/// update's norm per point clipped to `maxStepNorm`; the embedding re-centred.
@inline(__always) func sign(_ x: Double) -> Int { x > 0 ? 1 : (x < 0 ? -1 : 0) }

struct Optimizer {
    var update: [Double]
    var gains: [Double]
    let n: Int

    init(n: Int) { self.n = n; update = [Double](repeating: 0, count: 2 * n); gains = [Double](repeating: 1, count: 2 * n) }

    /// One iteration. Returns the KL divergence estimate (of the un-exaggerated P)
    /// when asked, else 0.
    mutating func step(_ P: SparseAffinities, _ y: UnsafeMutablePointer<Double>, exaggeration: Double, learningRate: Double,
                       momentum: Double, method: GradientMethod, options o: TSNEOptions, evaluateKL: Bool) -> Double {
        let attr = Buffer<Double>(2 * n, 0), rep = Buffer<Double>(2 * n, 0)
        // Σ p log w (a log per edge) is needed only for the KL estimate.
        let pLogW = attractiveForces(P, y, exaggeration: exaggeration, out: attr.p, withLogTerm: evaluateKL, dof: o.dof)
        let z: Double
        switch method {
        case .exact: z = repulsiveExact(y, n: n, out: rep.p, dof: o.dof)
        case .bh, .auto: z = repulsiveBH(y, n: n, theta: o.theta, cell: o.bhCell, out: rep.p, dof: o.dof)
        case .fft: z = repulsiveFFT(y, n: n, nodes: o.fftNodes, minBoxes: o.fftMinBoxes, out: rep.p, dof: o.dof)
        }
        var kl = 0.0
        if evaluateKL {
            // KL(P‖Q) = Σ p log p − Σ p log w + log Z   (Σ p = 1).
            var plogp = 0.0
            for v in P.values where v > 0 { plogp += v * Double.log(v) }
            kl = plogp - pLogW + Double.log(z)
        }
        let lr = learningRate, mom = momentum, minGain = o.minGain, maxStep = o.maxStepNorm
        var mean0 = 0.0, mean1 = 0.0
        for i in 0..<n {
            var u = (0.0, 0.0)
            for c in 0..<2 {
                let g = attr.p[2 * i + c] - rep.p[2 * i + c] / z
                let idx = 2 * i + c
                let flipped = sign(update[idx]) != sign(g)
                gains[idx] = flipped ? gains[idx] + 0.2 : gains[idx] * 0.8 + minGain
                let v = mom * update[idx] - lr * gains[idx] * g
                if c == 0 { u.0 = v } else { u.1 = v }
            }
            let norm = (u.0 * u.0 + u.1 * u.1).squareRoot()
            if norm > maxStep { u.0 *= maxStep / norm; u.1 *= maxStep / norm }
            update[2 * i] = u.0; update[2 * i + 1] = u.1
            y[2 * i] += u.0; y[2 * i + 1] += u.1
            mean0 += y[2 * i]; mean1 += y[2 * i + 1]
        }
        mean0 /= Double(n); mean1 /= Double(n)
        for i in 0..<n { y[2 * i] -= mean0; y[2 * i + 1] -= mean1 }
        return kl
    }
}

extension TSNEOptions {
    /// The largest iteration counts accepted (openTSNE's defaults are 250 + 500).
    public static let maxIterations = 100_000

    /// Refuses settings that cannot mean anything, before any data is read: a
    /// perplexity below 1 asks for a neighbourhood entropy below zero (the
    /// bisection then ends at an extreme precision and the KL comes out negative).
    public func check() throws {
        guard perplexity >= 1, perplexity.isFinite else {
            throw TSNEError.badOption("--perplexity \(perplexity) is out of range: it is the effective number of neighbours and must be ≥ 1 (openTSNE's default is 30)")
        }
        guard (0...Self.maxIterations).contains(iterations), (0...Self.maxIterations).contains(earlyIterations) else {
            throw TSNEError.badOption("--iterations and --early-iterations must be between 0 and \(Self.maxIterations)")
        }
        if let ps = perplexities {
            guard !ps.isEmpty, ps.count <= 8, ps.allSatisfy({ $0 >= 1 && $0.isFinite }) else {
                throw TSNEError.badOption("--perplexities must be 1 to 8 numbers ≥ 1, comma-separated (e.g. 30,300)")
            }
        }
        guard exaggeration > 0, exaggeration.isFinite else {
            throw TSNEError.badOption("--exaggeration \(exaggeration) is out of range: it must be a finite number > 0 (1 = none)")
        }
        guard dof > 0, dof <= 100, dof.isFinite else {
            throw TSNEError.badOption("--dof \(dof) is out of range: the degrees of freedom must be > 0 and at most 100 (1 = t-SNE's kernel; Kobak et al. use 0.5 and below)")
        }
        guard theta >= 0, theta.isFinite else { throw TSNEError.badOption("--theta \(theta) is out of range: it must be a finite number ≥ 0") }
        guard threads >= 1 else { throw TSNEError.badOption("threads must be ≥ 1, got \(threads)") }
    }
}
