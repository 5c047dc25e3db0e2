import RealModule

/// How the repulsive forces and the normaliser Z are computed.
public enum GradientMethod: String, Sendable, CaseIterable {
    /// BH below the crossover, otherwise FFT (see `TSNE.autoThreshold`).
    case auto
    /// All pairs, O(N²): for tests and small N.
    case exact
    /// Barnes–Hut quadtree, θ = 0.5 by default.
    case bh
    /// FFT-accelerated interpolation (FIt-SNE).
    case fft
}

/// The heavy-tailed kernel of Kobak et al. 2019 ("Heavy-tailed kernels reveal
/// a finer cluster structure in t-SNE visualisations"), openTSNE's `dof`:
/// w(d²) = (1 + d²/α)^−α, α = 1 the Cauchy kernel of t-SNE. The gradient of the
/// KL is 4 Σ_j (p_ij − q_ij) w_ij^{1/α} (y_i − y_j), so the attraction uses
/// w^{1/α} = 1/(1 + d²/α) and the repulsion w·w^{1/α} = (1 + d²/α)^−(α+1).
struct TKernel {
    let dof: Double
    /// w^{1/α} = 1 / (1 + d²/α).
    @inline(__always) func root(_ d2: Double) -> Double { dof == 1 ? 1 / (1 + d2) : 1 / (1 + d2 / dof) }
    /// w = (1 + d²/α)^−α, from its root.
    @inline(__always) func weight(root r: Double) -> Double { dof == 1 ? r : Double.pow(r, dof) }
    /// log w from its root.
    @inline(__always) func logWeight(root r: Double) -> Double { dof == 1 ? Double.log(r) : dof * Double.log(r) }
}

/// Attractive part, Σ_j p_ij w_ij^{1/α} (y_i − y_j), times `exaggeration`, over P's
/// non-zeros; written into `out` (n × 2). Returns Σ p_ij log w_ij (for the KL)
/// with `withLogTerm`, else 0 (the log per edge is most of this loop's time).
func attractiveForces(_ P: SparseAffinities, _ y: UnsafePointer<Double>, exaggeration: Double,
                      out: UnsafeMutablePointer<Double>, withLogTerm: Bool = true, dof: Double = 1) -> Double {
    let kernel = TKernel(dof: dof)
    let n = P.n
    let partial = Buffer<Double>(n, 0)
    P.rowStart.withUnsafeBufferPointer { rs in
        P.columns.withUnsafeBufferPointer { cols in
            P.values.withUnsafeBufferPointer { vals in
                parallelFor(n, minChunk: 512) { range in
                    for i in range {
                        let yi0 = y[2 * i], yi1 = y[2 * i + 1]
                        var f0 = 0.0, f1 = 0.0, pl = 0.0
                        for e in rs[i]..<rs[i + 1] {
                            let j = Int(cols[e])
                            let d0 = yi0 - y[2 * j], d1 = yi1 - y[2 * j + 1]
                            let w = kernel.root(d0 * d0 + d1 * d1)
                            let pw = vals[e] * w
                            f0 += pw * d0; f1 += pw * d1
                            if withLogTerm { pl += vals[e] * kernel.logWeight(root: w) }
                        }
                        out[2 * i] = exaggeration * f0; out[2 * i + 1] = exaggeration * f1
                        partial.p[i] = pl
                    }
                }
            }
        }
    }
    var s = 0.0
    for i in 0..<n { s += partial.p[i] }
    return s
}

/// Exact repulsion: rep_i = Σ_{j≠i} w_ij·w_ij^{1/α} (y_i − y_j) and Z = Σ_{i≠j} w_ij.
func repulsiveExact(_ y: UnsafePointer<Double>, n: Int, out: UnsafeMutablePointer<Double>, dof: Double = 1) -> Double {
    let kernel = TKernel(dof: dof)
    let zpart = Buffer<Double>(n, 0)
    parallelFor(n, minChunk: 64) { range in
        for i in range {
            let yi0 = y[2 * i], yi1 = y[2 * i + 1]
            var f0 = 0.0, f1 = 0.0, z = 0.0
            for j in 0..<n where j != i {
                let d0 = yi0 - y[2 * j], d1 = yi1 - y[2 * j + 1]
                let r = kernel.root(d0 * d0 + d1 * d1), w = kernel.weight(root: r)
                z += w; f0 += w * r * d0; f1 += w * r * d1
            }
            out[2 * i] = f0; out[2 * i + 1] = f1; zpart.p[i] = z
        }
    }
    var z = 0.0
    for i in 0..<n { z += zpart.p[i] }
    return z
}

/// A point-region quadtree over the embedding, rebuilt every iteration.
/// Children are created in a fixed order, so the tree, and every sum over it,
/// depends only on the points.
struct QuadTree {
    struct Node {
        var cx: Double, cy: Double, half: Double
        var comX = 0.0, comY = 0.0
        var count: Int32 = 0
        var firstChild: Int32 = -1   // -1: leaf
        var point: Int32 = -1        // a leaf's point (duplicates share it)
        var depth: Int32 = 0
        /// A cell is summarised for a point at squared distance d² from its
        /// centre of mass when d² > reach2 (set by `setOpening(theta:)`).
        var reach2 = Double.infinity
    }
    var nodes: [Node] = []

    init(_ y: UnsafePointer<Double>, n: Int) {
        var minX = Double.infinity, maxX = -Double.infinity, minY = Double.infinity, maxY = -Double.infinity
        for i in 0..<n { minX = min(minX, y[2 * i]); maxX = max(maxX, y[2 * i]); minY = min(minY, y[2 * i + 1]); maxY = max(maxY, y[2 * i + 1]) }
        let half = max(maxX - minX, maxY - minY) / 2 * (1 + 1e-9) + 1e-12
        nodes.reserveCapacity(2 * n + 8)
        nodes.append(Node(cx: (minX + maxX) / 2, cy: (minY + maxY) / 2, half: half))
        for i in 0..<n { insert(Int32(i), y[2 * i], y[2 * i + 1], y) }
    }

    mutating func insert(_ i: Int32, _ px: Double, _ py: Double, _ y: UnsafePointer<Double>) {
        var node = 0
        while true {
            // Running centre of mass and count.
            let c = Double(nodes[node].count)
            nodes[node].comX = (nodes[node].comX * c + px) / (c + 1)
            nodes[node].comY = (nodes[node].comY * c + py) / (c + 1)
            nodes[node].count += 1
            if nodes[node].firstChild < 0 {
                if nodes[node].count == 1 { nodes[node].point = i; return }
                let q = Int(nodes[node].point)
                let qx = y[2 * q], qy = y[2 * q + 1]
                if (qx == px && qy == py) || nodes[node].depth >= 48 { return }  // duplicates stay in one leaf
                // Split: make four children and push the resident point down.
                let first = Int32(nodes.count)
                let h = nodes[node].half / 2, cx = nodes[node].cx, cy = nodes[node].cy, dep = nodes[node].depth + 1
                for (sx, sy) in [(-1.0, -1.0), (1.0, -1.0), (-1.0, 1.0), (1.0, 1.0)] {
                    var ch = Node(cx: cx + sx * h, cy: cy + sy * h, half: h)
                    ch.depth = dep
                    nodes.append(ch)
                }
                nodes[node].firstChild = first
                let qc = Int(first) + quadrant(node, qx, qy)
                nodes[qc].comX = qx; nodes[qc].comY = qy; nodes[qc].count = nodes[node].count - 1
                nodes[qc].point = Int32(q)
                nodes[node].point = -1
            }
            node = Int(nodes[node].firstChild) + quadrant(node, px, py)
        }
    }

    /// The opening test: summarise a cell for a point at distance d from its
    /// centre of mass when diag/d < θ, diag = √2 · width, the longest line
    /// through the cell. openTSNE's quadtree compares the side length instead;
    /// at θ = 0.5 that test left a relative error of 1.2e-2 in the repulsive
    /// forces of `GradientTests`' layout, this one 4.7e-3, for about 25 % more
    /// time in a 5,000-point BH run. `.side` gives the side-length test.
    /// θ = 0 opens every cell: the exact sum.
    mutating func setOpening(theta: Double, cell: TSNEOptions.BHCell = .diagonal) {
        let size = cell == .diagonal ? 2.0.squareRoot() : 1
        for k in nodes.indices {
            let r = theta > 0 ? 2 * nodes[k].half * size / theta : .infinity
            nodes[k].reach2 = r * r
        }
    }

    @inline(__always) func quadrant(_ node: Int, _ x: Double, _ y: Double) -> Int {
        (x >= nodes[node].cx ? 1 : 0) + (y >= nodes[node].cy ? 2 : 0)
    }

    /// Σ_j w_ij and Σ_j w_ij·w_ij^{1/α} (y_i − y_j) for point i, cells passing the opening test summarised.
    @inline(__always)
    func forces(x: Double, y: Double, stack: inout [Int32], kernel: TKernel = TKernel(dof: 1)) -> (Double, Double, Double) {
        var sumQ = 0.0, f0 = 0.0, f1 = 0.0
        stack.removeAll(keepingCapacity: true)
        stack.append(0)
        while let top = stack.popLast() {
            let nd = nodes[Int(top)]
            if nd.count == 0 { continue }
            let d0 = x - nd.comX, d1 = y - nd.comY
            let d2 = d0 * d0 + d1 * d1
            if nd.firstChild < 0 || d2 > nd.reach2 {
                if d2 == 0 {
                    // The leaf holding this point (and any exact duplicates): w = 1, no force.
                    sumQ += Double(nd.count - (nd.firstChild < 0 ? 1 : 0))
                    continue
                }
                let r = kernel.root(d2), w = kernel.weight(root: r)
                let cw = Double(nd.count) * w
                sumQ += cw; f0 += cw * r * d0; f1 += cw * r * d1
            } else {
                for c in 0..<4 { stack.append(nd.firstChild + Int32(c)) }
            }
        }
        return (sumQ, f0, f1)
    }
}

/// Barnes–Hut repulsion; returns Z.
func repulsiveBH(_ y: UnsafePointer<Double>, n: Int, theta: Double, cell: TSNEOptions.BHCell = .diagonal,
                 out: UnsafeMutablePointer<Double>, dof: Double = 1) -> Double {
    let kernel = TKernel(dof: dof)
    var tree = QuadTree(y, n: n)
    tree.setOpening(theta: theta, cell: cell)
    let zpart = Buffer<Double>(n, 0)
    parallelFor(n, minChunk: 256) { range in
        var stack: [Int32] = []
        stack.reserveCapacity(256)
        for i in range {
            let (q, f0, f1) = tree.forces(x: y[2 * i], y: y[2 * i + 1], stack: &stack, kernel: kernel)
            out[2 * i] = f0; out[2 * i + 1] = f1; zpart.p[i] = q
        }
    }
    var z = 0.0
    for i in 0..<n { z += zpart.p[i] }
    return z
}
