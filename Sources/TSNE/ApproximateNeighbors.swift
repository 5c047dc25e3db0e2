/// Approximate k nearest neighbours for large N (docs/tsne.md § Approximate
/// neighbours): a forest of random-projection trees gives every point the
/// points that share a leaf with it in any tree (Annoy's idea, Bernhardsson;
/// the splits are Dasgupta and Freund's random projections), their exact
/// distances keep the best k, and then neighbours of neighbours are tried
/// (one round of NN-descent's local join, Dong, Charikar and Li 2011), which
/// mends most of what the trees miss. Memory is linear in N: the trees are
/// permutations with leaf bounds, the graph is N·k. Deterministic for a seed:
/// each tree has its own random stream and each point's list is computed
/// from data that does not depend on the thread count.
extension NeighborGraph {
    public struct ApproximateOptions: Sendable {
        public var trees = 10
        /// Points per leaf at most; at least k + 1 so a leaf alone can fill a list.
        public var leafSize: Int? = nil
        /// Neighbour-of-neighbour rounds, each over the first `joinWidth` of every list.
        public var joinRounds = 3
        public var joinWidth = 20
        public var seed: UInt64 = 42
        public init() {}
    }

    public static func approximate(points x: UnsafePointer<Float>, n: Int, dim: Int, k: Int,
                                   options o: ApproximateOptions = ApproximateOptions()) -> NeighborGraph {
        precondition(n > k && k >= 1)
        let leaf = max(k + 1, o.leafSize ?? (2 * k + 2))
        // 1. The forest: per tree a permutation of the points and, per point, its leaf's bounds in it.
        var perms = [[Int32]](repeating: [], count: o.trees)
        var leafOf = [[Int32]](repeating: [], count: o.trees)   // leaf index of each point
        var bounds = [[Int32]](repeating: [], count: o.trees)   // leaf start offsets, count + 1
        perms.withUnsafeMutableBufferPointer { pp in
            leafOf.withUnsafeMutableBufferPointer { lp in
                bounds.withUnsafeMutableBufferPointer { bp in
                    let ppb = pp.baseAddress!, lpb = lp.baseAddress!, bpb = bp.baseAddress!
                    parallelFor(o.trees, minChunk: 1) { range in
                        for t in range {
                            let (perm, starts) = buildTree(x, n: n, dim: dim, leaf: leaf, seed: o.seed &+ UInt64(t) &* 0x9E37_79B9_7F4A_7C15)
                            var of = [Int32](repeating: 0, count: n)
                            for l in 0..<(starts.count - 1) { for p in Int(starts[l])..<Int(starts[l + 1]) { of[Int(perm[p])] = Int32(l) } }
                            ppb[t] = perm; lpb[t] = of; bpb[t] = starts
                        }
                    }
                }
            }
        }
        // 2. Every point against the points of its leaves.
        var idx = [Int32](repeating: 0, count: n * k), dist = [Float](repeating: 0, count: n * k)
        fillLists(x, n: n, dim: dim, k: k, &idx, &dist) { i, add in
            for t in 0..<o.trees {
                let l = Int(leafOf[t][i])
                for p in Int(bounds[t][l])..<Int(bounds[t][l + 1]) { add(perms[t][p]) }
            }
        }
        // 3. Neighbours of neighbours, from a snapshot of the lists (so the order
        //    points are visited in, and the thread count, do not matter).
        let w = min(o.joinWidth, k)
        for _ in 0..<o.joinRounds {
            let old = idx
            fillLists(x, n: n, dim: dim, k: k, &idx, &dist) { i, add in
                for t in 0..<k { add(old[i * k + t]) }
                for t in 0..<w { let j = Int(old[i * k + t]); for u in 0..<w { add(old[j * k + u]) } }
            }
        }
        return NeighborGraph(n: n, k: k, indices: idx, distances: dist)
    }

    /// Each point's list from the candidates `candidates(i, add)` offers
    /// (repeats and the point itself are dropped), in parallel over points.
    static func fillLists(_ x: UnsafePointer<Float>, n: Int, dim: Int, k: Int, _ idx: inout [Int32], _ dist: inout [Float],
                          candidates: (Int, (Int32) -> Void) -> Void) {
        idx.withUnsafeMutableBufferPointer { ib in
            dist.withUnsafeMutableBufferPointer { db in
                let ip = ib.baseAddress!, dp = db.baseAddress!
                parallelFor(n, minChunk: 256) { range in
                    var seen = [Int32](repeating: -1, count: n)
                    var cand: [Int32] = []
                    let hd = UnsafeMutablePointer<Float>.allocate(capacity: k), hi = UnsafeMutablePointer<Int32>.allocate(capacity: k)
                    defer { hd.deallocate(); hi.deallocate() }
                    for i in range {
                        cand.removeAll(keepingCapacity: true)
                        seen[i] = Int32(i)
                        candidates(i) { j in if seen[Int(j)] != Int32(i) { seen[Int(j)] = Int32(i); cand.append(j) } }
                        best(x, dim: dim, i: i, cand, k: k, hd, hi, into: dp + i * k, ip + i * k)
                    }
                }
            }
        }
    }

    /// The k candidates nearest to point i (squared distance, ties by smaller index), sorted.
    @inline(__always)
    static func best(_ x: UnsafePointer<Float>, dim: Int, i: Int, _ cand: [Int32], k: Int,
                     _ hd: UnsafeMutablePointer<Float>, _ hi: UnsafeMutablePointer<Int32>,
                     into d: UnsafeMutablePointer<Float>, _ ix: UnsafeMutablePointer<Int32>) {
        var size = 0
        let xi = x + i * dim
        for j in cand {
            let dj = squaredDistance(xi, x + Int(j) * dim, dim)
            heapOffer(hd, hi, size: &size, k: k, d: dj, j: j)
        }
        var pairs = (0..<size).map { (hd[$0], hi[$0]) }
        pairs.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        // Fewer candidates than k (a tiny forest): pad with the last one (never the point itself).
        for t in 0..<k { let p = pairs[min(t, pairs.count - 1)]; d[t] = p.0; ix[t] = p.1 }
    }

    @inline(__always)
    static func squaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>()
        var i = 0
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while i + 16 <= n {
            let d = ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) - rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            acc += d * d
            i += 16
        }
        var s = acc.sum()
        while i < n { let d = a[i] - b[i]; s += d * d; i += 1 }
        return s
    }

    /// One random-projection tree: a permutation of 0..<n whose leaves are
    /// contiguous runs of at most `leaf` points, and the runs' starts (+ n).
    /// A node splits by the hyperplane halfway between two of its points drawn
    /// at random; if that leaves one side empty (duplicates), it splits in half.
    static func buildTree(_ x: UnsafePointer<Float>, n: Int, dim: Int, leaf: Int, seed: UInt64) -> ([Int32], [Int32]) {
        var rng = SplitMix64(seed: seed)
        var perm = (0..<n).map(Int32.init)
        var starts: [Int32] = []
        var stack: [(Int, Int)] = [(0, n)]
        var w = [Float](repeating: 0, count: dim)
        var side = [Bool](repeating: false, count: n)
        var leaves: [(Int, Int)] = []
        while let (lo, hi) = stack.popLast() {
            let m = hi - lo
            if m <= leaf { leaves.append((lo, hi)); continue }
            let pa = Int(rng.next() % UInt64(m))
            var pb = Int(rng.next() % UInt64(m - 1))
            if pb >= pa { pb += 1 }
            let a = Int(perm[lo + pa]), b = Int(perm[lo + pb])
            var c: Float = 0
            for t in 0..<dim { let ax = x[a * dim + t], bx = x[b * dim + t]; w[t] = ax - bx; c += (ax - bx) * (ax + bx) / 2 }
            var left = 0
            for p in lo..<hi {
                let q = Int(perm[p])
                var s: Float = 0
                for t in 0..<dim { s += w[t] * x[q * dim + t] }
                side[p - lo] = s > c
                if !side[p - lo] { left += 1 }
            }
            if left == 0 || left == m {
                let mid = lo + m / 2
                stack.append((mid, hi)); stack.append((lo, mid))
                continue
            }
            // Stable partition: the left side first, each side in its previous order.
            var l: [Int32] = [], r: [Int32] = []
            l.reserveCapacity(left); r.reserveCapacity(m - left)
            for p in lo..<hi { if side[p - lo] { r.append(perm[p]) } else { l.append(perm[p]) } }
            for (o, v) in (l + r).enumerated() { perm[lo + o] = v }
            stack.append((lo + left, hi)); stack.append((lo, lo + left))
        }
        leaves.sort { $0.0 < $1.0 }
        for (lo, _) in leaves { starts.append(Int32(lo)) }
        starts.append(Int32(n))
        return (perm, starts)
    }
}
