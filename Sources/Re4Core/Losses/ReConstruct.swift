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
        // C is linear in Z: slot m is C_m = F_m z + b_m, with F_m the m-th d×d block
        // of fc_cons. So C·W3ᵀ and C·W5 are Z times per-slot products formed once per
        // batch (M3_m = W3·F_m, M5_m = W5ᵀ·F_m), and C itself is never built: two
        // (na × d)·(d × L·d) products instead of three, and four instead of six in
        // the backward pass.
        let W3 = params.p("W3"), W5 = params.p("W5"), F = params.p("fc_cons.weight"), bc = params.p("fc_cons.bias")
        let M = FloatBuffer(2 * Ld * d)          // rows 0..<Ld: M3, rows Ld..<2Ld: M5
        let bias = FloatBuffer(2 * Ld)           // W3·b_m, then W5ᵀ·b_m
        for m in 0..<L {
            let Fm = F + m * d * d
            sgemm(false, false, m: d, n: d, k: d, W3, lda: d, Fm, ldb: d, M.p + m * d * d, ldc: d)
            sgemm(true, false, m: d, n: d, k: d, W5, lda: d, Fm, ldb: d, M.p + (Ld + m * d) * d, ldc: d)
            for e in 0..<d {
                var s3: Float = 0, s5: Float = 0
                for t in 0..<d { s3 += W3[e * d + t] * bc[m * d + t]; s5 += W5[t * d + e] * bc[m * d + t] }
                bias[m * d + e] = s3; bias[Ld + m * d + e] = s5
            }
        }
        // PV = [Pre | V] (na × 2Ld): Pre = C·W3ᵀ, V = C·W5.
        let PV = FloatBuffer(uninitialized: na * 2 * Ld)
        for i in 0..<na { (PV.p + i * 2 * Ld).update(from: bias.p, count: 2 * Ld) }
        sgemm(false, true, m: na, n: 2 * Ld, k: d, Za.p, lda: d, M.p, ldb: d, beta: 1, PV.p, ldc: 2 * Ld)
        // Ct = tanh(Pre) (naL × d) and V (naL × d), each contiguous.
        let Ct = FloatBuffer(uninitialized: naL * d), V = FloatBuffer(uninitialized: naL * d)
        let pv = PV.p, ct = Ct.p, vv = V.p
        parallelChunks(na, minChunk: 64) { r in
            for i in r {
                let src = pv + i * 2 * Ld, dst = ct + i * Ld
                for t in 0..<Ld { dst[t] = FastMath.tanh(src[t]) }
                (vv + i * Ld).update(from: src + Ld, count: Ld)
            }
        }
        let Rt = FloatBuffer(uninitialized: naL * L)
        sgemm(false, true, m: naL, n: L, k: d, Ct.p, lda: d, params.p("W3_2"), ldb: d, Rt.p, ldc: L)
        let beta = FloatBuffer(na * L * L), dXhat = FloatBuffer(naL * d)
        let dRt = FloatBuffer(naL * L), dV = FloatBuffer(naL * d)
        let parts = DoubleBuffer(na)
        let g = scale * 2 / Float(B * K * L * d)
        // Per active row: β, X̂, the error, and the backward down to dRt and dV.
        batch.idx.withUnsafeBufferPointer { idx in
            parallelChunks(na, minChunk: 8) { range in
                let xhat = UnsafeMutablePointer<Float>.allocate(capacity: d)
                let dbeta = UnsafeMutablePointer<Float>.allocate(capacity: L)
                defer { xhat.deallocate(); dbeta.deallocate() }
                for i in range {
                    let r = rows[i], b = r / K
                    let be = beta.p + i * L * L, Vr = V.p + i * L * d
                    var rowError: Float = 0
                    for j in 0..<L {
                        // β[j, m] = softmax over valid m of R[j, m] = Rt[(i,m), j].
                        let bj = be + j * L
                        var mx = -Float.infinity
                        for m in 0..<L where idx[b * L + m] >= 0 { mx = max(mx, Rt[(i * L + m) * L + j]) }
                        var s: Float = 0
                        for m in 0..<L {
                            let e: Float = idx[b * L + m] >= 0 ? FastMath.exp(Rt[(i * L + m) * L + j] - mx) : 0
                            bj[m] = e; s += e
                        }
                        let inv = 1 / s
                        for m in 0..<L { bj[m] *= inv }
                        guard isPos[r * L + j] else { continue }
                        // X̂[j] = Σ_m β[j,m]·V[m] (β is exactly 0 at padding).
                        xhat.update(repeating: 0, count: d)
                        for m in 0..<L where bj[m] != 0 { Kernels.axpy(bj[m], Vr + m * d, xhat, d) }
                        let x = batch.Xu.p + Int(idx[b * L + j]) * d
                        let dx = dXhat.p + (i * L + j) * d
                        var e: Float = 0
                        for t in 0..<d {
                            let diff = xhat[t] - x[t]
                            e += diff * diff
                            dx[t] = g * diff
                        }
                        rowError += e
                        // dβ[j, m] = dX̂[j]·V[m]; dV[m] += β[j,m]·dX̂[j]; dR = β ⊙ (dβ − Σ β dβ).
                        var sb: Float = 0
                        for m in 0..<L {
                            let w = bj[m]
                            let s2 = Kernels.dot(dx, Vr + m * d, d)
                            if w != 0 { Kernels.axpy(w, dx, dV.p + (i * L + m) * d, d) }
                            dbeta[m] = s2; sb += w * s2
                        }
                        for m in 0..<L { dRt[(i * L + m) * L + j] = bj[m] * (dbeta[m] - sb) }
                    }
                    parts[i] = Double(rowError)
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
        // Rt = Ct·W3_2ᵀ.
        sgemm(true, false, m: L, n: d, k: naL, dRt.p, lda: L, Ct.p, ldb: d, beta: 1, grads.p("W3_2"), ldc: d)
        let dCt = FloatBuffer(uninitialized: naL * d)
        sgemm(false, false, m: naL, n: d, k: L, dRt.p, lda: L, params.p("W3_2"), ldb: d, dCt.p, ldc: d)
        // dPV = [dPre | dV] with dPre = dCt ⊙ (1 − Ct²).
        let dPV = FloatBuffer(uninitialized: na * 2 * Ld)
        let dpv = dPV.p, dct = dCt.p, dvv = dV.p
        parallelChunks(na, minChunk: 64) { r in
            for i in r {
                let dst = dpv + i * 2 * Ld, c = ct + i * Ld, g = dct + i * Ld
                for t in 0..<Ld { dst[t] = g[t] * (1 - c[t] * c[t]) }
                (dst + Ld).update(from: dvv + i * Ld, count: Ld)
            }
        }
        // dZ = dPV·M; dM = dPVᵀ·Z; dbias = column sums of dPV.
        let dZa = FloatBuffer(uninitialized: na * d)
        sgemm(false, false, m: na, n: d, k: 2 * Ld, dPV.p, lda: 2 * Ld, M.p, ldb: d, dZa.p, ldc: d)
        let dM = FloatBuffer(uninitialized: 2 * Ld * d)
        sgemm(true, false, m: 2 * Ld, n: d, k: na, dPV.p, lda: 2 * Ld, Za.p, ldb: d, dM.p, ldc: d)
        let dBias = FloatBuffer(2 * Ld)
        addColumnSums(dPV.p, rows: na, n: 2 * Ld, into: dBias.p)
        // Back through M3_m = W3·F_m, M5_m = W5ᵀ·F_m, W3·b_m, W5ᵀ·b_m.
        let dW3 = grads.p("W3"), dW5 = grads.p("W5"), dF = grads.p("fc_cons.weight"), db = grads.p("fc_cons.bias")
        for m in 0..<L {
            let Fm = F + m * d * d, dFm = dF + m * d * d
            let dM3 = dM.p + m * d * d, dM5 = dM.p + (Ld + m * d) * d
            sgemm(false, true, m: d, n: d, k: d, dM3, lda: d, Fm, ldb: d, beta: 1, dW3, ldc: d)     // dW3 += dM3·F_mᵀ
            sgemm(true, false, m: d, n: d, k: d, W3, lda: d, dM3, ldb: d, beta: 1, dFm, ldc: d)     // dF_m += W3ᵀ·dM3
            sgemm(false, true, m: d, n: d, k: d, Fm, lda: d, dM5, ldb: d, beta: 1, dW5, ldc: d)     // dW5 += F_m·dM5ᵀ
            sgemm(false, false, m: d, n: d, k: d, W5, lda: d, dM5, ldb: d, beta: 1, dFm, ldc: d)    // dF_m += W5·dM5
            for e in 0..<d {
                let g3 = dBias[m * d + e], g5 = dBias[Ld + m * d + e]
                for t in 0..<d {
                    dW3[e * d + t] += g3 * bc[m * d + t]          // bias3_e = Σ_t W3[e,t] b_t
                    dW5[t * d + e] += g5 * bc[m * d + t]          // bias5_e = Σ_t W5[t,e] b_t
                    db[m * d + t] += W3[e * d + t] * g3 + W5[t * d + e] * g5
                }
            }
        }
        for (i, r) in rows.enumerated() { for t in 0..<d { dZ[r * d + t] += dZa[i * d + t] } }
        return parts.sum / Double(B * K * L * d)
    }
}
