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

    /// Exact search: squared distances |x|² + |y|² − 2 x·y. The points are packed
    /// in panels of 16, coordinate-major, so one SIMD register holds a coordinate
    /// of 16 points; eight query rows at a time accumulate their dot products with
    /// a panel in eight registers (a small matrix product, no horizontal sums).
    /// A panel's 16 distances are compared with each query's current k-th
    /// distance at once; only closer points reach the bounded max-heap. Parallel
    /// over blocks of query rows. O(N²·D).
    public static func exact(points x: UnsafePointer<Float>, n: Int, dim: Int, k: Int) -> NeighborGraph {
        typealias V = SIMD16<Float>
        let norms = Buffer<Float>(n, 0)
        for i in 0..<n { norms.p[i] = dotF(x + i * dim, x + i * dim, dim) }
        let panels = (n + 15) / 16
        let packed = Buffer<Float>(panels * dim * 16, 0)
        let panelNorms = Buffer<Float>(panels * 16, .infinity)   // padding lanes are infinitely far
        for j in 0..<n {
            let b = j / 16, l = j % 16
            for t in 0..<dim { packed.p[(b * dim + t) * 16 + l] = x[j * dim + t] }
            panelNorms.p[j] = norms.p[j]
        }
        let idx = Buffer<Int32>(n * k, 0), dist = Buffer<Float>(n * k, 0)
        let qBlock = 8
        let qBlocks = (n + qBlock - 1) / qBlock
        parallelFor(qBlocks, minChunk: 4) { range in
            let heapD = UnsafeMutablePointer<Float>.allocate(capacity: k * qBlock)
            let heapI = UnsafeMutablePointer<Int32>.allocate(capacity: k * qBlock)
            defer { heapD.deallocate(); heapI.deallocate() }
            var sizes = [Int](repeating: 0, count: qBlock)
            var acc = [V](repeating: V(), count: qBlock)
            for qb in range {
                let r0 = qb * qBlock, rows = min(qBlock, n - r0)
                for q in 0..<qBlock { sizes[q] = 0 }
                // Rows past the end repeat the last row; their results are ignored.
                let xs = (0..<qBlock).map { x + (r0 + min($0, rows - 1)) * dim }
                for p in 0..<panels {
                    let panel = UnsafeRawPointer(packed.p + p * dim * 16)
                    var a0 = V(), a1 = V(), a2 = V(), a3 = V(), a4 = V(), a5 = V(), a6 = V(), a7 = V()
                    let x0 = xs[0], x1 = xs[1], x2 = xs[2], x3 = xs[3], x4 = xs[4], x5 = xs[5], x6 = xs[6], x7 = xs[7]
                    for t in 0..<dim {
                        let v = panel.loadUnaligned(fromByteOffset: t * 64, as: V.self)
                        // Multiply, then add — not addProduct: a fused multiply-add is
                        // a libm call per lane on a baseline x86-64 build (no FMA
                        // instruction), which made the portable build's kNN 25× slower;
                        // and the two builds now give the same bytes.
                        a0 += V(repeating: x0[t]) * v; a1 += V(repeating: x1[t]) * v
                        a2 += V(repeating: x2[t]) * v; a3 += V(repeating: x3[t]) * v
                        a4 += V(repeating: x4[t]) * v; a5 += V(repeating: x5[t]) * v
                        a6 += V(repeating: x6[t]) * v; a7 += V(repeating: x7[t]) * v
                    }
                    acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3; acc[4] = a4; acc[5] = a5; acc[6] = a6; acc[7] = a7
                    let pn = UnsafeRawPointer(panelNorms.p + p * 16).loadUnaligned(as: V.self)
                    for q in 0..<rows {
                        let i = r0 + q
                        let d = pointwiseMax(V(repeating: norms.p[i]) + pn - 2 * acc[q], V())
                        let threshold = sizes[q] == k ? heapD[q * k] : Float.infinity
                        let closer = d .<= V(repeating: threshold)
                        guard any(closer) else { continue }
                        for lane in 0..<16 where closer[lane] {
                            let j = p * 16 + lane
                            if j < n && j != i {
                                heapOffer(heapD + q * k, heapI + q * k, size: &sizes[q], k: k, d: d[lane], j: Int32(j))
                            }
                        }
                    }
                }
                for q in 0..<rows {
                    let i = r0 + q
                    // Sort the heap: nearest first, ties by index.
                    var pairs = (0..<sizes[q]).map { (heapD[q * k + $0], heapI[q * k + $0]) }
                    pairs.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
                    for (t, pr) in pairs.enumerated() { dist.p[i * k + t] = pr.0; idx.p[i * k + t] = pr.1 }
                }
            }
        }
        return NeighborGraph(n: n, k: k, indices: idx.array, distances: dist.array)
    }

    /// Max-heap of the k smallest (distance, index) pairs; larger index loses ties.
    @inline(__always)
    static func heapOffer(_ hd: UnsafeMutablePointer<Float>, _ hi: UnsafeMutablePointer<Int32>, size: inout Int, k: Int, d: Float, j: Int32) {
        @inline(__always) func greater(_ a: Int, _ b: Int) -> Bool { hd[a] > hd[b] || (hd[a] == hd[b] && hi[a] > hi[b]) }
        @inline(__always) func swap(_ a: Int, _ b: Int) {
            let td = hd[a]; hd[a] = hd[b]; hd[b] = td
            let ti = hi[a]; hi[a] = hi[b]; hi[b] = ti
        }
        if size < k {
            var c = size
            hd[c] = d; hi[c] = j; size += 1
            while c > 0 {
                let p = (c - 1) / 2
                if greater(c, p) { swap(c, p); c = p } else { break }
            }
            return
        }
        if d > hd[0] || (d == hd[0] && j > hi[0]) { return }
        hd[0] = d; hi[0] = j
        var c = 0
        while true {
            let l = 2 * c + 1, r = l + 1
            var m = c
            if l < k && greater(l, m) { m = l }
            if r < k && greater(r, m) { m = r }
            if m == c { break }
            swap(c, m); c = m
        }
    }
}

/// Copies the rows, L2-normalised (zero rows stay zero): what `TSNEMetric.cosine` embeds.
public func normalizedRows(_ x: UnsafePointer<Float>, n: Int, dim: Int) -> [Float] {
    var out = [Float](repeating: 0, count: n * dim)
    for i in 0..<n {
        let s = dotF(x + i * dim, x + i * dim, dim).squareRoot()
        if s > 0 { for j in 0..<dim { out[i * dim + j] = x[i * dim + j] / s } }
    }
    return out
}
