import RealModule

/// FFT-accelerated interpolation for the repulsive forces (Linderman et al.,
/// "Fast interpolation-based t-SNE", Nature Methods 2019): charges
/// (1, y_x, y_y, |y|²) are spread onto an equispaced grid by Lagrange
/// interpolation (`nodes` per box per axis, at least `minBoxes` boxes per axis,
/// boxes at most `maxBoxWidth` wide), convolved with (1+d²)^−2 by FFT, and
/// interpolated back. Returns Z.
///
/// With the heavy-tailed kernel (`dof` α ≠ 1) the same four charges serve:
/// the force kernel is (1 + d²/α)^−(α+1) and, since w = (1 + d²/α)^−α equals
/// it times (1 + d²/α), Z follows from the same four sums with d² scaled by 1/α.
func repulsiveFFT(_ y: UnsafePointer<Double>, n: Int, nodes p: Int, minBoxes: Int, maxBoxWidth: Double = 1.25,
                  out: UnsafeMutablePointer<Double>, dof: Double = 1) -> Double {
    var lo = Double.infinity, hi = -Double.infinity
    for i in 0..<(2 * n) { lo = min(lo, y[i]); hi = max(hi, y[i]) }
    let width = max(hi - lo, 1e-9)
    // The FFT length: the smallest 2^k or 3·2^k whose grid, filled with
    // length/(2·nodes) boxes, has at least `minBoxes` boxes of at most
    // `maxBoxWidth` units of embedding width each. (FIt-SNE sizes boxes at one
    // unit, ints_in_interval = 1. On the 10k-point benchmark mixture, 1.25
    // instead of 1 took a quarter off the run for +0.004 in exact KL.)
    var size = 4
    func boxesFor(_ s: Int) -> Int { s / (2 * p) }
    while boxesFor(size) < minBoxes || width / Double(boxesFor(size)) > maxBoxWidth {
        size = size & (size - 1) == 0 ? size / 2 * 3 : size / 3 * 4   // 4, 6, 8, 12, 16, 24, …
    }
    let boxes = boxesFor(size)
    let h = width / Double(boxes) * (1 + 1e-12)
    let m = boxes * p                       // nodes per axis
    let delta = h / Double(p)               // node spacing
    // Per point: box index and Lagrange weights per axis.
    let boxIdx = Buffer<Int32>(2 * n, 0), wts = Buffer<Double>(2 * n * p, 0)
    var nodeOffsets = [Double](repeating: 0, count: p)  // within a box, in units of h
    for j in 0..<p { nodeOffsets[j] = (Double(j) + 0.5) / Double(p) }
    parallelFor(n, minChunk: 1024) { r in
        for i in r {
            for a in 0..<2 {
                let u = (y[2 * i + a] - lo) / h
                let b = min(boxes - 1, max(0, Int(u)))
                boxIdx.p[2 * i + a] = Int32(b)
                let t = u - Double(b)
                for j in 0..<p {
                    var w = 1.0
                    for l in 0..<p where l != j { w *= (t - nodeOffsets[l]) / (nodeOffsets[j] - nodeOffsets[l]) }
                    wts.p[(2 * i + a) * p + j] = w
                }
            }
        }
    }
    // Kernel on the circulant embedding: K(Δ) for offsets −(m−1)…(m−1) wrapped.
    let kRe = Buffer<Double>(size * size, 0), kIm = Buffer<Double>(size * size, 0)
    for a in 0..<size {
        let da = a < m ? a : (a > size - m ? a - size : Int.max)
        if da == Int.max { continue }
        for b in 0..<size {
            let db = b < m ? b : (b > size - m ? b - size : Int.max)
            if db == Int.max { continue }
            let dx = Double(da) * delta, dy = Double(db) * delta
            if dof == 1 {
                let q = 1 / (1 + dx * dx + dy * dy)
                kRe.p[a * size + b] = q * q
            } else {
                kRe.p[a * size + b] = Double.pow(1 / (1 + (dx * dx + dy * dy) / dof), dof + 1)
            }
        }
    }
    let plan = FFTPlan(n: size)
    // The kernel's non-zero rows and columns: offsets 0…m−1 and −(m−1)…−1 (wrapped).
    plan.forward2D(kRe.p, kIm.p, nonZero: [0..<m, (size - m + 1)..<size])
    // Four charges, packed two per complex grid: (1 + i·y_x) and (y_y + i·|y|²).
    var phi = [Buffer<Double>](repeating: Buffer<Double>(0, 0), count: 4)
    for pair in 0..<2 {
        let gRe = Buffer<Double>(size * size, 0), gIm = Buffer<Double>(size * size, 0)
        for i in 0..<n {
            let bx = Int(boxIdx.p[2 * i]), by = Int(boxIdx.p[2 * i + 1])
            let yx = y[2 * i], yy = y[2 * i + 1]
            let c0 = pair == 0 ? 1.0 : yy, c1 = pair == 0 ? yx : yx * yx + yy * yy
            for jx in 0..<p {
                let wx = wts.p[(2 * i) * p + jx], gx = bx * p + jx
                for jy in 0..<p {
                    let w = wx * wts.p[(2 * i + 1) * p + jy]
                    let cell = gx * size + by * p + jy
                    gRe.p[cell] += w * c0; gIm.p[cell] += w * c1
                }
            }
        }
        plan.forward2D(gRe.p, gIm.p, nonZero: [0..<m])
        // Multiply by the kernel's transform (real-even kernel: the product keeps the packing).
        for c in 0..<(size * size) {
            let ar = gRe.p[c], ai = gIm.p[c], br = kRe.p[c], bi = kIm.p[c]
            gRe.p[c] = ar * br - ai * bi; gIm.p[c] = ar * bi + ai * br
        }
        plan.inverse2D(gRe.p, gIm.p, keepColumns: m)
        let scale = 1 / Double(size * size)
        let r0 = Buffer<Double>(n, 0), r1 = Buffer<Double>(n, 0)
        parallelFor(n, minChunk: 1024) { r in
            for i in r {
                let bx = Int(boxIdx.p[2 * i]), by = Int(boxIdx.p[2 * i + 1])
                var s0 = 0.0, s1 = 0.0
                for jx in 0..<p {
                    let wx = wts.p[(2 * i) * p + jx], gx = bx * p + jx
                    for jy in 0..<p {
                        let w = wx * wts.p[(2 * i + 1) * p + jy]
                        let cell = gx * size + by * p + jy
                        s0 += w * gRe.p[cell]; s1 += w * gIm.p[cell]
                    }
                }
                r0.p[i] = s0 * scale; r1.p[i] = s1 * scale
            }
        }
        phi[2 * pair] = r0; phi[2 * pair + 1] = r1
    }
    // phi: [Σ K·1, Σ K·y_x, Σ K·y_y, Σ K·|y|²] (each includes j = i, where K = 1).
    var z = 0.0
    for i in 0..<n {
        let yx = y[2 * i], yy = y[2 * i + 1]
        let p0 = phi[0].p[i], p1 = phi[1].p[i], p2 = phi[2].p[i], p3 = phi[3].p[i]
        if dof == 1 { z += (1 + yx * yx + yy * yy) * p0 - 2 * (yx * p1 + yy * p2) + p3 }
        else { z += (1 + (yx * yx + yy * yy) / dof) * p0 - 2 * (yx * p1 + yy * p2) / dof + p3 / dof }
        out[2 * i] = yx * p0 - p1
        out[2 * i + 1] = yy * p0 - p2
    }
    return z - Double(n)
}
