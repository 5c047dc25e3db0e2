/// Distance used for the input affinities.
public enum TSNEMetric: String, Sendable, CaseIterable {
    case euclidean
    /// L2-normalise the rows first (the usual choice for recommender embeddings).
    case cosine
}

/// The k nearest neighbours of every point, by squared Euclidean distance,
/// nearest first (ties by smaller index).
public struct NeighborGraph: Sendable {
    public let n: Int
    public let k: Int
    public let indices: [Int32]
    public let distances: [Float]

    /// Exact search: squared distances |x|² + |y|² − 2 x·y from blocked SIMD dot
    /// products, a bounded max-heap per point, parallel over blocks of query rows.
    /// O(N²·D); at D = 64 it is competitive with approximate search up to tens of
    /// thousands of points (see bench/README.md).
    public static func exact(points x: UnsafePointer<Float>, n: Int, dim: Int, k: Int) -> NeighborGraph {
        let norms = Buffer<Float>(n, 0)
        for i in 0..<n { norms.p[i] = dotF(x + i * dim, x + i * dim, dim) }
        let idx = Buffer<Int32>(n * k, 0), dist = Buffer<Float>(n * k, 0)
        let rowBlock = 32, colBlock = 256
        let blocks = (n + rowBlock - 1) / rowBlock
        parallelFor(blocks, minChunk: 1) { range in
            var heapD = [Float](repeating: 0, count: k * rowBlock)
            var heapI = [Int32](repeating: 0, count: k * rowBlock)
            var sizes = [Int](repeating: 0, count: rowBlock)
            for blk in range {
                let r0 = blk * rowBlock, r1 = min(n, r0 + rowBlock)
                for r in 0..<(r1 - r0) { sizes[r] = 0 }
                var c0 = 0
                while c0 < n {
                    let c1 = min(n, c0 + colBlock)
                    for i in r0..<r1 {
                        let xi = x + i * dim, ni = norms.p[i], r = i - r0
                        for j in c0..<c1 where j != i {
                            let d = max(0, ni + norms.p[j] - 2 * dotF(xi, x + j * dim, dim))
                            heapOffer(&heapD, &heapI, base: r * k, size: &sizes[r], k: k, d: d, j: Int32(j))
                        }
                    }
                    c0 = c1
                }
                for i in r0..<r1 {
                    let r = i - r0
                    // Sort the heap: nearest first, ties by index.
                    var pairs = (0..<sizes[r]).map { (heapD[r * k + $0], heapI[r * k + $0]) }
                    pairs.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
                    for (t, pr) in pairs.enumerated() { dist.p[i * k + t] = pr.0; idx.p[i * k + t] = pr.1 }
                }
            }
        }
        return NeighborGraph(n: n, k: k, indices: idx.array, distances: dist.array)
    }

    /// Max-heap of the k smallest (distance, index) pairs; larger index loses ties.
    @inline(__always)
    static func heapOffer(_ hd: inout [Float], _ hi: inout [Int32], base: Int, size: inout Int, k: Int, d: Float, j: Int32) {
        @inline(__always) func greater(_ a: Int, _ b: Int) -> Bool {
            hd[base + a] > hd[base + b] || (hd[base + a] == hd[base + b] && hi[base + a] > hi[base + b])
        }
        if size < k {
            var c = size
            hd[base + c] = d; hi[base + c] = j; size += 1
            while c > 0 {
                let p = (c - 1) / 2
                if greater(c, p) { hd.swapAt(base + c, base + p); hi.swapAt(base + c, base + p); c = p } else { break }
            }
            return
        }
        if d > hd[base] || (d == hd[base] && j > hi[base]) { return }
        hd[base] = d; hi[base] = j
        var c = 0
        while true {
            let l = 2 * c + 1, r = l + 1
            var m = c
            if l < k && greater(l, m) { m = l }
            if r < k && greater(r, m) { m = r }
            if m == c { break }
            hd.swapAt(base + c, base + m); hi.swapAt(base + c, base + m); c = m
        }
    }
}

/// Copies the rows, L2-normalised (zero rows stay zero).
func normalizedRows(_ x: UnsafePointer<Float>, n: Int, dim: Int) -> [Float] {
    var out = [Float](repeating: 0, count: n * dim)
    for i in 0..<n {
        let s = dotF(x + i * dim, x + i * dim, dim).squareRoot()
        if s > 0 { for j in 0..<dim { out[i * dim + j] = x[i * dim + j] / s } }
    }
    return out
}
