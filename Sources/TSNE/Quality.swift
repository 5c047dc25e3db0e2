import RealModule

/// Quality measures of an embedding, computed the same way for every method.
public enum TSNEQuality {
    /// Exact KL(P‖Q) for the final embedding: Σ p log p − Σ p log w + log Z, with
    /// Z = Σ_{i≠j} w_ij summed over all pairs (O(N²), parallel, fixed order).
    public static func exactKL(_ P: SparseAffinities, embedding y: [Double], dof: Double = 1) -> Double {
        let n = P.n
        return y.withUnsafeBufferPointer { yp in
            let rep = Buffer<Double>(2 * n, 0), attr = Buffer<Double>(2 * n, 0)
            let z = repulsiveExact(yp.baseAddress!, n: n, out: rep.p, dof: dof)
            let pLogW = attractiveForces(P, yp.baseAddress!, exaggeration: 1, out: attr.p, dof: dof)
            var plogp = 0.0
            for v in P.values where v > 0 { plogp += v * Double.log(v) }
            return plogp - pLogW + Double.log(z)
        }
    }

    /// Mean |kNN_in(i) ∩ kNN_out(i)| / k with exact neighbours in both spaces.
    public static func knnPreservation(input x: [Float], n: Int, dim: Int, embedding y: [Double], k: Int = 10,
                                       threads: Int = 1) -> Double {
        TSNEThreads.$count.withValue(max(1, threads)) { knnPreservationBound(input: x, n: n, dim: dim, embedding: y, k: k) }
    }

    static func knnPreservationBound(input x: [Float], n: Int, dim: Int, embedding y: [Double], k: Int) -> Double {
        let gin = x.withUnsafeBufferPointer { NeighborGraph.exact(points: $0.baseAddress!, n: n, dim: dim, k: k) }
        let yf = y.map { Float($0) }
        let gout = yf.withUnsafeBufferPointer { NeighborGraph.exact(points: $0.baseAddress!, n: n, dim: 2, k: k) }
        var total = 0
        for i in 0..<n {
            let a = Set(gin.indices[(i * k)..<((i + 1) * k)])
            total += gout.indices[(i * k)..<((i + 1) * k)].filter { a.contains($0) }.count
        }
        return Double(total) / Double(n * k)
    }

    /// Trustworthiness T(k) (Venna & Kaski 2001), the formula of
    /// `sklearn.manifold.trustworthiness`: 1 − 2/(n k (2n − 3k − 1)) Σ_i Σ_{j ∈ U_k(i)} (r(i, j) − k),
    /// where U_k(i) are output-space neighbours that are not input-space neighbours
    /// and r(i, j) is j's rank among i's input-space neighbours (1 = nearest).
    public static func trustworthiness(input x: [Float], n: Int, dim: Int, embedding y: [Double], k: Int = 10,
                                       threads: Int = 1) -> Double {
        TSNEThreads.$count.withValue(max(1, threads)) { trustworthinessBound(input: x, n: n, dim: dim, embedding: y, k: k) }
    }

    static func trustworthinessBound(input x: [Float], n: Int, dim: Int, embedding y: [Double], k: Int) -> Double {
        let yf = y.map { Float($0) }
        let gout = yf.withUnsafeBufferPointer { NeighborGraph.exact(points: $0.baseAddress!, n: n, dim: 2, k: k) }
        var norms = [Float](repeating: 0, count: n)
        x.withUnsafeBufferPointer { xp in for i in 0..<n { norms[i] = dotF(xp.baseAddress! + i * dim, xp.baseAddress! + i * dim, dim) } }
        let penalty = Buffer<Double>(n, 0)
        x.withUnsafeBufferPointer { xp in
            let xb = xp.baseAddress!
            parallelFor(n, minChunk: 64) { range in
                var d = [Float](repeating: 0, count: n)
                for i in range {
                    for j in 0..<n { d[j] = max(0, norms[i] + norms[j] - 2 * dotF(xb + i * dim, xb + j * dim, dim)) }
                    d[i] = -1  // self first, as sklearn's ranking (self has rank 0)
                    for t in 0..<k {
                        let j = Int(gout.indices[i * k + t])
                        // Rank of j: points strictly closer, ties broken by index (stable order).
                        var rank = 0
                        let dj = d[j]
                        for m in 0..<n where m != i && (d[m] < dj || (d[m] == dj && m < j)) { rank += 1 }
                        rank += 1
                        if rank > k { penalty.p[i] += Double(rank - k) }
                    }
                }
            }
        }
        var s = 0.0
        for i in 0..<n { s += penalty.p[i] }
        let nn = Double(n), kk = Double(k)
        return 1 - 2 / (nn * kk * (2 * nn - 3 * kk - 1)) * s
    }
}
