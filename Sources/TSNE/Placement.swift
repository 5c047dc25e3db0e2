import Dispatch
import RealModule

/// Settings for placing new points into a fixed embedding. The defaults are
/// openTSNE's `TSNEEmbedding.transform` (docs/tsne.md, "Placing new points").
public struct PlacementOptions: Sendable {
    /// Perplexity of each new point's affinities to its reference neighbours.
    public var perplexity = 5.0
    /// Reference neighbours per new point.
    public var k = 25
    public var iterations = 250
    public var learningRate = 0.1
    public var exaggeration = 1.5
    public var momentum = 0.8
    /// Each point's gradient is scaled down to at most this norm before a step.
    public var maxGradientNorm = 0.25
    public var minGain = 0.01
    public var metric: TSNEMetric = .euclidean
    public var threads = 1
    /// The reference map's kernel degrees of freedom (`TSNEOptions.dof`): new
    /// points are placed under the kernel the map was made with.
    public var dof = 1.0
    public init() {}

    public func check(references n: Int) throws {
        guard perplexity >= 1, perplexity.isFinite else { throw TSNEError.badOption("placement perplexity must be ≥ 1, got \(perplexity)") }
        guard k >= 1 else { throw TSNEError.badOption("placement k must be ≥ 1, got \(k)") }
        guard n >= 2 else { throw TSNEError.tooFewPoints(n) }
        guard (0...TSNEOptions.maxIterations).contains(iterations) else { throw TSNEError.badOption("placement iterations must be between 0 and \(TSNEOptions.maxIterations)") }
        guard learningRate > 0, exaggeration > 0, maxGradientNorm > 0 else { throw TSNEError.badOption("placement learning rate, exaggeration and gradient clip must be > 0") }
        guard threads >= 1 else { throw TSNEError.badOption("threads must be ≥ 1, got \(threads)") }
        guard dof > 0, dof <= 100, dof.isFinite else { throw TSNEError.badOption("placement dof must be > 0 and at most 100, got \(dof)") }
    }
}

/// Affinities from new points to reference points: per new point, its
/// reference neighbours and their probabilities (each row sums to 1; not
/// symmetrised, since the reference never moves).
public struct PlacementAffinities: Sendable {
    public let m: Int, k: Int
    /// m × k reference indices and probabilities, row-major.
    public let indices: [Int32]
    public let values: [Double]
    public init(m: Int, k: Int, indices: [Int32], values: [Double]) {
        precondition(indices.count == m * k && values.count == m * k, "placement affinities must be m × k")
        self.m = m; self.k = k; self.indices = indices; self.values = values
    }
}

/// openTSNE's `transform` / `prepare_partial` in pure Swift: new points are
/// placed into a fixed reference embedding. Each new point is attracted only
/// to its reference neighbours (exaggerated) and repelled by every reference
/// point, normalised by its own Z_i = Σ_j w_ij (openTSNE's point-wise
/// normalisation for partial embeddings), so new points never act on one
/// another and the reference is never moved. Repulsion is summed exactly, in
/// O(m·N) per iteration: the number of points placed here (a few users'
/// interests) is small.
public enum TSNEPlacement {
    /// Nearest reference points of each new point and their calibrated probabilities.
    public static func affinities(new q: [Float], m: Int, reference x: [Float], n: Int, dim: Int,
                                  options o: PlacementOptions) throws -> PlacementAffinities {
        try o.check(references: n)
        guard q.count == m * dim, x.count == n * dim, dim >= 1 else { throw TSNEError.badOption("new and reference points must be m × D and N × D") }
        for (i, v) in q.enumerated() where !v.isFinite { throw TSNEError.nonFinite(row: i / dim, column: i % dim) }
        let k = min(o.k, n)
        let a = o.metric == .cosine ? q.withUnsafeBufferPointer { normalizedRows($0.baseAddress!, n: m, dim: dim) } : q
        let b = o.metric == .cosine ? x.withUnsafeBufferPointer { normalizedRows($0.baseAddress!, n: n, dim: dim) } : x
        var idx = [Int32](repeating: 0, count: m * k), dist = [Float](repeating: 0, count: m * k)
        var probs = [Double](repeating: 0, count: m * k)
        let target = Double.log(min(o.perplexity, Double(k)))
        TSNEThreads.$count.withValue(o.threads) {
            idx.withUnsafeMutableBufferPointer { ip in dist.withUnsafeMutableBufferPointer { dp in probs.withUnsafeMutableBufferPointer { pp in
                a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in
                    let I = ip.baseAddress!, D = dp.baseAddress!, P = pp.baseAddress!
                    parallelFor(m, minChunk: 1) { range in
                        var d2 = [Float](repeating: 0, count: n)
                        for i in range {
                            let qi = ap.baseAddress! + i * dim
                            for j in 0..<n {
                                var s: Float = 0
                                let xj = bp.baseAddress! + j * dim
                                for t in 0..<dim { let e = qi[t] - xj[t]; s += e * e }
                                d2[j] = s
                            }
                            // The k smallest, nearest first (ties by index).
                            let order = (0..<n).sorted { (d2[$0], $0) < (d2[$1], $1) }.prefix(k)
                            for (t, j) in order.enumerated() { I[i * k + t] = Int32(j); D[i * k + t] = d2[j] }
                            SparseAffinities.calibrate(D + i * k, k: k, targetEntropy: target, out: P + i * k)
                        }
                    }
                } }
            } } }
        }
        return PlacementAffinities(m: m, k: k, indices: idx, values: probs)
    }

    /// openTSNE's "median" initialisation: each coordinate the median over the point's reference neighbours.
    public static func medianInitialization(_ p: PlacementAffinities, embedding y: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: 2 * p.m)
        for i in 0..<p.m {
            for c in 0..<2 {
                let v = (0..<p.k).map { y[2 * Int(p.indices[i * p.k + $0]) + c] }.sorted()
                out[2 * i + c] = v.count % 2 == 1 ? v[v.count / 2] : (v[v.count / 2 - 1] + v[v.count / 2]) / 2
            }
        }
        return out
    }

    /// Optimises the new points' positions; the reference embedding `y` (N × 2) is read only.
    /// - Parameters:
    ///   - initial: starting positions (m × 2), e.g. `medianInitialization`.
    ///   - progress: called every 50 iterations with the mean per-point KL of the
    ///     new points' rows; return false to stop early.
    public static func optimize(_ p: PlacementAffinities, reference y: [Double], initial: [Double], options o: PlacementOptions,
                                progress: (TSNEProgress) -> Bool = { _ in true }) throws -> [Double] {
        let n = y.count / 2
        try o.check(references: n)
        guard initial.count == 2 * p.m else { throw TSNEError.badOption("the initial layout must be m × 2") }
        for v in p.indices where Int(v) >= n || v < 0 { throw TSNEError.badOption("a placement affinity points past the \(n) reference points") }
        var pos = initial
        let kernel = TKernel(dof: o.dof)
        var update = [Double](repeating: 0, count: 2 * p.m), gains = [Double](repeating: 1, count: 2 * p.m)
        let t0 = DispatchTime.now().uptimeNanoseconds
        for it in 0..<o.iterations {
            var grad = [Double](repeating: 0, count: 2 * p.m)
            var kl = [Double](repeating: 0, count: p.m)
            let evaluate = (it + 1) % 50 == 0 || it == o.iterations - 1
            TSNEThreads.$count.withValue(o.threads) {
                grad.withUnsafeMutableBufferPointer { g in kl.withUnsafeMutableBufferPointer { klp in
                    let G = g.baseAddress!, KL = klp.baseAddress!
                    parallelFor(p.m, minChunk: 1) { range in
                        for i in range {
                            let xi = pos[2 * i], yi = pos[2 * i + 1]
                            var z = 0.0, rx = 0.0, ry = 0.0
                            for j in 0..<n {
                                let dx = xi - y[2 * j], dy = yi - y[2 * j + 1]
                                let r = kernel.root(dx * dx + dy * dy), w = kernel.weight(root: r)
                                z += w; rx += w * r * dx; ry += w * r * dy
                            }
                            var ax = 0.0, ay = 0.0, klSum = 0.0
                            for t in 0..<p.k {
                                let j = Int(p.indices[i * p.k + t]), pij = p.values[i * p.k + t]
                                let dx = xi - y[2 * j], dy = yi - y[2 * j + 1]
                                let r = kernel.root(dx * dx + dy * dy)
                                ax += pij * r * dx; ay += pij * r * dy
                                if evaluate && pij > 0 { klSum += pij * Double.log(pij / (kernel.weight(root: r) / z)) }
                            }
                            G[2 * i] = o.exaggeration * ax - rx / z
                            G[2 * i + 1] = o.exaggeration * ay - ry / z
                            KL[i] = klSum
                        }
                    }
                } }
            }
            for i in 0..<p.m {
                let norm = (grad[2 * i] * grad[2 * i] + grad[2 * i + 1] * grad[2 * i + 1]).squareRoot()
                if norm > o.maxGradientNorm { let s = o.maxGradientNorm / norm; grad[2 * i] *= s; grad[2 * i + 1] *= s }
            }
            for c in 0..<(2 * p.m) {
                // openTSNE's rule: +0.2 where the last step and the gradient point the same way
                // (update·gradient < 0, as the step is against the gradient), else ×0.8.
                gains[c] = max(update[c] * grad[c] < 0 ? gains[c] + 0.2 : gains[c] * 0.8, o.minGain)
                update[c] = o.momentum * update[c] - o.learningRate * gains[c] * grad[c]
                pos[c] += update[c]
            }
            if evaluate {
                let mean = kl.reduce(0, +) / Double(max(1, p.m))
                let pr = TSNEProgress(iteration: it + 1, phase: "placement", kl: mean,
                                      seconds: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                if !progress(pr) { break }
            }
        }
        return pos
    }

    /// Affinities, median initialisation and optimisation in one call.
    public static func place(new q: [Float], m: Int, reference x: [Float], n: Int, dim: Int, embedding y: [Double],
                             options o: PlacementOptions = PlacementOptions(),
                             progress: (TSNEProgress) -> Bool = { _ in true }) throws -> [Double] {
        guard y.count == 2 * n else { throw TSNEError.badOption("the reference embedding must be N × 2 for the N reference points") }
        let p = try affinities(new: q, m: m, reference: x, n: n, dim: dim, options: o)
        return try optimize(p, reference: y, initial: medianInitialization(p, embedding: y), options: o, progress: progress)
    }
}
