import Foundation

/// Re-construct (SPEC §3.4): each interest must regenerate the history items it
/// attends to.
///
///     C    = reshape(Z · fc_consᵀ + b_cons, (B,K,L,d))      L "slot" vectors per interest
///     R    = W3_2 · tanh(W3 · Cᵀ)                         (B,K,L,L): R[j, m]
///     R[…, m] = −1e9 where history position m is padding;  β = softmax_m(R)
///     X̂    = β · (C · W5)
///     L_cs = Σ_{positives (b,k,j)} |X̂[b,k,j] − X[b,j]|² / (B·K·L·d)
///
/// The target X is not detached. Interests without any positive contribute
/// nothing to the loss or its gradient, so only those with positives are computed.
public enum ReConstruct {
    public static let parameterNames = ["W3", "W3_2", "W5", "fc_cons.weight", "fc_cons.bias"]

    public static func initialize(_ params: inout ParameterSet, d: Int, L: Int, _ rng: inout SeededRandom) {
        params.add("W3", shape: [d, d], values: Init.normal(d * d, &rng))
        params.add("W3_2", shape: [L, d], values: Init.normal(L * d, &rng))
        params.add("W5", shape: [d, d], values: Init.normal(d * d, &rng))
        params.add("fc_cons.weight", shape: [d * L, d], values: Init.linear(d * L * d, fanIn: d, &rng))
        params.add("fc_cons.bias", shape: [d * L], values: Init.linear(d * L, fanIn: d, &rng))
    }

    /// - Parameters:
    ///   - A: attention (B,K,L) for the positive gate; - Z: raw interests (B,K,d).
    ///   - scale: λ_cs. Gradients (× scale) are added to `dZ`, `dXpos` (B·L·d) and `grads`.
    /// - Returns: L_cs (unscaled).
    public static func loss(_ batch: HistoryBatch, Z: UnsafePointer<Float>, A: UnsafePointer<Float>, K: Int,
                            params: ParameterSet, scale: Float, dZ: UnsafeMutablePointer<Float>,
                            dXpos: UnsafeMutablePointer<Float>, grads: inout ParameterSet) -> Double {
        let B = batch.B, L = batch.L, d = batch.d, Ld = L * d
        // Active (b,k) rows and their positive positions.
        var rows: [Int] = []
        var isPos = [Bool](repeating: false, count: B * K * L)
        for b in 0..<B {
            let gamma = 1 / Float(min(Int(batch.lengths[b]), L))
            for k in 0..<K {
                var any = false
                for l in 0..<L where batch.idx[b * L + l] >= 0 && A[(b * K + k) * L + l] > gamma {
                    isPos[(b * K + k) * L + l] = true; any = true
                }
                if any { rows.append(b * K + k) }
            }
        }
        let na = rows.count
        if na == 0 { return 0 }
        let naL = na * L
        let Za = FloatBuffer(na * d)
        for (i, r) in rows.enumerated() { (Za.p + i * d).update(from: Z + r * d, count: d) }
        let Ca = FloatBuffer(na * Ld)
        for i in 0..<na { (Ca.p + i * Ld).update(from: params.p("fc_cons.bias"), count: Ld) }
        sgemm(false, true, m: na, n: Ld, k: d, Za.p, lda: d, params.p("fc_cons.weight"), ldb: d, beta: 1, Ca.p, ldc: Ld)
        let Ct = FloatBuffer(naL * d), Rt = FloatBuffer(naL * L), V = FloatBuffer(naL * d)
        sgemm(false, true, m: naL, n: d, k: d, Ca.p, lda: d, params.p("W3"), ldb: d, Ct.p, ldc: d)
        parallelChunks(naL * d, minChunk: 8192) { r in for i in r { Ct[i] = FastMath.tanh(Ct[i]) } }
        sgemm(false, true, m: naL, n: L, k: d, Ct.p, lda: d, params.p("W3_2"), ldb: d, Rt.p, ldc: L)
        sgemm(false, false, m: naL, n: d, k: d, Ca.p, lda: d, params.p("W5"), ldb: d, V.p, ldc: d)
        let beta = FloatBuffer(na * L * L), dXhat = FloatBuffer(naL * d)
        let dRt = FloatBuffer(naL * L), dV = FloatBuffer(naL * d)
        var parts = [Double](repeating: 0, count: na)
        let g = scale * 2 / Float(B * K * L * d)
        // Per active row: β, X̂, the error, and the backward down to dRt and dV.
        batch.idx.withUnsafeBufferPointer { idx in
            parallelChunks(na, minChunk: 8) { range in
                var xhat = [Float](repeating: 0, count: d)
                var dbeta = [Float](repeating: 0, count: L)
                for i in range {
                    let r = rows[i], b = r / K
                    let be = beta.p + i * L * L, Vr = V.p + i * L * d
                    for j in 0..<L {
                        // β[j, m] = softmax over valid m of R[j, m] = Rt[(i,m), j].
                        var mx = -Float.infinity
                        for m in 0..<L where idx[b * L + m] >= 0 { mx = max(mx, Rt[(i * L + m) * L + j]) }
                        var s: Float = 0
                        for m in 0..<L {
                            let e: Float = idx[b * L + m] >= 0 ? FastMath.exp(Rt[(i * L + m) * L + j] - mx) : 0
                            be[j * L + m] = e; s += e
                        }
                        for m in 0..<L { be[j * L + m] /= s }
                        guard isPos[r * L + j] else { continue }
                        for t in 0..<d { xhat[t] = 0 }
                        for m in 0..<L where be[j * L + m] != 0 {
                            let w = be[j * L + m], v = Vr + m * d
                            for t in 0..<d { xhat[t] += w * v[t] }
                        }
                        let x = batch.Xu.p + Int(idx[b * L + j]) * d
                        let dx = dXhat.p + (i * L + j) * d
                        var e: Double = 0
                        for t in 0..<d {
                            let diff = xhat[t] - x[t]
                            e += Double(diff * diff)
                            dx[t] = g * diff
                        }
                        parts[i] += e
                        // dβ[j, m] = dX̂[j]·V[m]; dV[m] += β[j,m]·dX̂[j]; dR = β ⊙ (dβ − Σ β dβ).
                        var sb: Float = 0
                        for m in 0..<L {
                            let v = Vr + m * d
                            var s2: Float = 0
                            for t in 0..<d { s2 += dx[t] * v[t] }
                            dbeta[m] = s2; sb += be[j * L + m] * s2
                            let w = be[j * L + m]
                            if w != 0 { let dv = dV.p + (i * L + m) * d; for t in 0..<d { dv[t] += w * dx[t] } }
                        }
                        for m in 0..<L { dRt[(i * L + m) * L + j] = be[j * L + m] * (dbeta[m] - sb) }
                    }
                }
            }
        }
        // The target X is not detached: dX[b,j] −= dX̂ summed over interests.
        for (i, r) in rows.enumerated() {
            let b = r / K
            for j in 0..<L where isPos[r * L + j] {
                let src = dXhat.p + (i * L + j) * d, dst = dXpos + (b * L + j) * d
                for t in 0..<d { dst[t] -= src[t] }
            }
        }
        // Rt = Ct·W3_2ᵀ; Ct = tanh(C·W3ᵀ); V = C·W5; C = Z·fc_consᵀ + b.
        sgemm(true, false, m: L, n: d, k: naL, dRt.p, lda: L, Ct.p, ldb: d, beta: 1, grads.p("W3_2"), ldc: d)
        let dCt = FloatBuffer(naL * d)
        sgemm(false, false, m: naL, n: d, k: L, dRt.p, lda: L, params.p("W3_2"), ldb: d, dCt.p, ldc: d)
        parallelChunks(naL * d, minChunk: 8192) { r in for i in r { let t = Ct[i]; dCt[i] *= (1 - t * t) } }
        sgemm(true, false, m: d, n: d, k: naL, dCt.p, lda: d, Ca.p, ldb: d, beta: 1, grads.p("W3"), ldc: d)
        let dC = FloatBuffer(naL * d)
        sgemm(false, false, m: naL, n: d, k: d, dCt.p, lda: d, params.p("W3"), ldb: d, dC.p, ldc: d)
        sgemm(true, false, m: d, n: d, k: naL, Ca.p, lda: d, dV.p, ldb: d, beta: 1, grads.p("W5"), ldc: d)
        sgemm(false, true, m: naL, n: d, k: d, dV.p, lda: d, params.p("W5"), ldb: d, beta: 1, dC.p, ldc: d)
        let dZa = FloatBuffer(na * d)
        sgemm(false, false, m: na, n: d, k: Ld, dC.p, lda: Ld, params.p("fc_cons.weight"), ldb: d, dZa.p, ldc: d)
        sgemm(true, false, m: Ld, n: d, k: na, dC.p, lda: Ld, Za.p, ldb: d, beta: 1, grads.p("fc_cons.weight"), ldc: d)
        addColumnSums(dC.p, rows: na, n: Ld, into: grads.p("fc_cons.bias"))
        for (i, r) in rows.enumerated() { for t in 0..<d { dZ[r * d + t] += dZa[i * d + t] } }
        return parts.reduce(0, +) / Double(B * K * L * d)
    }
}
