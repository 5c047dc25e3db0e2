import RealModule

/// The symmetric input affinities P in compressed sparse rows; Σ p_ij = 1.
public struct SparseAffinities: Sendable {
    public let n: Int
    public let rowStart: [Int]
    public let columns: [Int32]
    public let values: [Double]

    /// Perplexity-calibrated conditional probabilities over each point's k
    /// neighbours, symmetrised: p_ij = (p_{j|i} + p_{i|j}) / (2N).
    public static func fromNeighbors(_ g: NeighborGraph, perplexity: Double) -> SparseAffinities {
        let n = g.n, k = g.k
        let cond = Buffer<Double>(n * k, 0)
        let target = Double.log(perplexity)
        g.distances.withUnsafeBufferPointer { dist in
            parallelFor(n, minChunk: 256) { range in
                for i in range {
                    calibrate(dist.baseAddress! + i * k, k: k, targetEntropy: target, out: cond.p + i * k)
                }
            }
        }
        return symmetrise(g, cond)
    }

    /// P = (P_{j|i} + P_{i|j}) / 2N from the conditionals on the kNN graph:
    /// entries (i, j) and (j, i), sorted by (row, column), merged.
    static func symmetrise(_ g: NeighborGraph, _ cond: Buffer<Double>) -> SparseAffinities {
        let n = g.n, k = g.k
        var entries: [(Int32, Int32, Double)] = []
        entries.reserveCapacity(2 * n * k)
        for i in 0..<n {
            for t in 0..<k {
                let j = g.indices[i * k + t], v = cond.p[i * k + t]
                entries.append((Int32(i), j, v)); entries.append((j, Int32(i), v))
            }
        }
        entries.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        var rowStart = [Int](repeating: 0, count: n + 1)
        var cols: [Int32] = [], vals: [Double] = []
        cols.reserveCapacity(entries.count); vals.reserveCapacity(entries.count)
        let scale = 1 / (2 * Double(n))
        var e = 0
        while e < entries.count {
            let (r, c, _) = entries[e]
            var v = 0.0
            while e < entries.count && entries[e].0 == r && entries[e].1 == c { v += entries[e].2; e += 1 }
            cols.append(c); vals.append(v * scale)
            rowStart[Int(r) + 1] = cols.count
        }
        for i in 1...n where rowStart[i] < rowStart[i - 1] { rowStart[i] = rowStart[i - 1] }
        return SparseAffinities(n: n, rowStart: rowStart, columns: cols, values: vals)
    }

    /// The same affinities with the points renamed: point `order[r]` becomes
    /// point r (`order` a permutation of 0..<n, `newIndex` its inverse), each
    /// row's columns ascending as in P itself. Renaming back with the two
    /// swapped gives P's bytes.
    func renamed(order: [Int32], newIndex: [Int32]) -> SparseAffinities {
        var rs = [Int](repeating: 0, count: n + 1)
        for r in 0..<n { let i = Int(order[r]); rs[r + 1] = rs[r] + rowStart[i + 1] - rowStart[i] }
        let nnz = rs[n]
        var cols = [Int32](repeating: 0, count: nnz), vals = [Double](repeating: 0, count: nnz)
        cols.withUnsafeMutableBufferPointer { cp in vals.withUnsafeMutableBufferPointer { vp in
            let co = cp.baseAddress!, vo = vp.baseAddress!
            rowStart.withUnsafeBufferPointer { src in columns.withUnsafeBufferPointer { c in values.withUnsafeBufferPointer { v in
                parallelFor(n, minChunk: 1024) { range in
                    var row: [(Int32, Double)] = []
                    for r in range {
                        let i = Int(order[r])
                        row.removeAll(keepingCapacity: true)
                        for e in src[i]..<src[i + 1] { row.append((newIndex[Int(c[e])], v[e])) }
                        row.sort { $0.0 < $1.0 }                   // columns are distinct within a row
                        for (t, (j, w)) in row.enumerated() { co[rs[r] + t] = j; vo[rs[r] + t] = w }
                    }
                }
            } } }
        } }
        return SparseAffinities(n: n, rowStart: rs, columns: cols, values: vals)
    }

    /// Multiscale affinities: each row's conditional P is the mean of the
    /// kernels calibrated to each perplexity over the same k neighbours, then
    /// symmetrised as for one perplexity (openTSNE's MultiscaleMixture).
    public static func fromNeighbors(_ g: NeighborGraph, perplexities: [Double]) -> SparseAffinities {
        if perplexities.count == 1 { return fromNeighbors(g, perplexity: perplexities[0]) }
        let n = g.n, k = g.k, m = Double(perplexities.count)
        let cond = Buffer<Double>(n * k, 0)
        g.distances.withUnsafeBufferPointer { dist in
            parallelFor(n, minChunk: 256) { range in
                var one = [Double](repeating: 0, count: k)
                for i in range {
                    for p in perplexities {
                        one.withUnsafeMutableBufferPointer { calibrate(dist.baseAddress! + i * k, k: k, targetEntropy: Double.log(p), out: $0.baseAddress!) }
                        for t in 0..<k { cond.p[i * k + t] += one[t] }
                    }
                    for t in 0..<k { cond.p[i * k + t] /= m }
                }
            }
        }
        return symmetrise(g, cond)
    }

    /// Bisection on β so that the entropy of p_j ∝ exp(−β·d_j) equals ln(perplexity)
    /// to 1e-5 (at most 200 steps); the smallest distance is subtracted first.
    static func calibrate(_ d: UnsafePointer<Float>, k: Int, targetEntropy: Double, out: UnsafeMutablePointer<Double>) {
        var dmin = Double.infinity
        for j in 0..<k { dmin = min(dmin, Double(d[j])) }
        var beta = 1.0, lo = 0.0, hi = Double.infinity
        for _ in 0..<200 {
            var sum = 0.0, wsum = 0.0
            for j in 0..<k {
                let dj = Double(d[j]) - dmin
                let p = Double.exp(-beta * dj)
                out[j] = p; sum += p; wsum += dj * p
            }
            let h = Double.log(sum) + beta * wsum / sum
            let diff = h - targetEntropy
            if abs(diff) < 1e-5 { break }
            if diff > 0 { lo = beta; beta = hi.isInfinite ? beta * 2 : (beta + hi) / 2 }
            else { hi = beta; beta = (beta + lo) / 2 }
        }
        var sum = 0.0
        for j in 0..<k { sum += out[j] }
        for j in 0..<k { out[j] /= sum }
    }

    /// Entropy of row i's conditional distribution is checked in the tests via this helper.
    static func entropy(_ p: [Double]) -> Double { -p.reduce(0) { $1 > 0 ? $0 + $1 * Double.log($1) : $0 } }
}
