import Foundation

/// Re-construct (docs/model.md §3.4): each interest must regenerate the history items it
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
        loss(batch, Z: Z, A: A, K: K, params: params, scale: scale, dZ: dZ, dXpos: dXpos, grads: &grads,
             blockRows: 128, groupCount: 8)
    }

    /// `blockRows` and `groupCount` set the blocking (exposed for the tests, which
    /// check that they change nothing beyond rounding).
    static func loss(_ batch: HistoryBatch, Z: UnsafePointer<Float>, A: UnsafePointer<Float>, K: Int,
                     params: ParameterSet, scale: Float, dZ: UnsafeMutablePointer<Float>,
                     dXpos: UnsafeMutablePointer<Float>, grads: inout ParameterSet,
                     blockRows requestedBlockRows: Int, groupCount: Int) -> Double {
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
        // The rest runs in blocks of about 128 active rows, each kept in cache from
        // its forward product to its backward products:
        //   PV = [Pre | V] = Z·[M3 | M5]ᵀ + bias          (Pre = C·W3ᵀ, V = C·W5)
        //   per interest: Ct = tanh(Pre); scores R[j,·] = W3_2[j]·Ct[m] and their
        //   softmax β only for positive positions j (other rows of β never reach
        //   the loss); X̂[j], the error, and the backward to dV and dPre, which
        //   overwrite PV (PV becomes dPV)
        //   dZ = dPV·M;  dM += dPVᵀ·Z;  dbias += column sums of dPV.
        // Users (never split, so a user's target rows are written by one thread) go
        // into a fixed number of groups whose partial sums are added in group order:
        // the result does not depend on the thread count.
        let W32 = params.p("W3_2")
        let g = scale * 2 / Float(B * K * L * d)
        var userStart: [Int] = [0]                 // active rows of user u: userStart[u]..<userStart[u+1]
        for i in 1..<na where rows[i] / K != rows[i - 1] / K { userStart.append(i) }
        userStart.append(na)
        let nUsers = userStart.count - 1
        let groups = min(groupCount, nUsers)
        let blockRows = max(requestedBlockRows, K)
        let dMParts = FloatBuffer(groups * 2 * Ld * d), dBiasParts = FloatBuffer(groups * 2 * Ld)
        let dW32Parts = FloatBuffer(groups * L * d)
        let dZa = FloatBuffer(uninitialized: na * d)
        let parts = DoubleBuffer(na)
        batch.idx.withUnsafeBufferPointer { idx in
            parallelChunks(groups) { groupRange in
                let pvBlock = FloatBuffer(uninitialized: blockRows * 2 * Ld)
                let ct = FloatBuffer(uninitialized: Ld), dct = FloatBuffer(uninitialized: Ld), dv = FloatBuffer(uninitialized: Ld)
                let beta = FloatBuffer(uninitialized: L)
                let xhat = FloatBuffer(uninitialized: d), dx = FloatBuffer(uninitialized: d), dbeta = FloatBuffer(uninitialized: L)
                var posJ = [Int](), valid = [Int]()
                for grp in groupRange {
                    let dW32 = dW32Parts.p + grp * L * d, dMg = dMParts.p + grp * 2 * Ld * d
                    let dBiasG = dBiasParts.p + grp * 2 * Ld
                    var u = grp * nUsers / groups
                    let uEnd = (grp + 1) * nUsers / groups
                    while u < uEnd {
                        // One block: whole users, at most blockRows rows.
                        var uNext = u + 1
                        while uNext < uEnd && userStart[uNext + 1] - userStart[u] <= blockRows { uNext += 1 }
                        let i0 = userStart[u], nb = userStart[uNext] - i0
                        for i in 0..<nb { (pvBlock.p + i * 2 * Ld).update(from: bias.p, count: 2 * Ld) }
                        sgemmSerial(false, true, nb, 2 * Ld, d, 1, Za.p + i0 * d, d, M.p, d, 1, pvBlock.p, 2 * Ld)
                        for uu in u..<uNext {
                            let b = rows[userStart[uu]] / K
                            valid.removeAll(keepingCapacity: true)
                            for m in 0..<L where idx[b * L + m] >= 0 { valid.append(m) }
                            for i in userStart[uu]..<userStart[uu + 1] {
                                let r = rows[i], pre = pvBlock.p + (i - i0) * 2 * Ld, V = pre + Ld
                                posJ.removeAll(keepingCapacity: true)
                                for j in 0..<L where isPos[r * L + j] { posJ.append(j) }
                                ct.p.update(repeating: 0, count: Ld)          // padding slots stay 0, so their dPre is 0
                                for m in valid { for t in (m * d)..<(m * d + d) { ct[t] = FastMath.tanh(pre[t]) } }
                                dct.p.update(repeating: 0, count: Ld)
                                dv.p.update(repeating: 0, count: Ld)
                                var rowError: Float = 0
                                for j in posJ {
                                    // β[j, m] = softmax over valid m of W3_2[j]·Ct[m]; exactly 0 at padding.
                                    let bj = beta.p, wj = W32 + j * d
                                    var mx = -Float.infinity
                                    for m in valid { let s = Kernels.dot(wj, ct.p + m * d, d); bj[m] = s; mx = max(mx, s) }
                                    var sum: Float = 0
                                    for m in valid { let e = FastMath.exp(bj[m] - mx); bj[m] = e; sum += e }
                                    let inv = 1 / sum
                                    xhat.p.update(repeating: 0, count: d)
                                    for m in valid { bj[m] *= inv; Kernels.axpy(bj[m], V + m * d, xhat.p, d) }
                                    // Error against the (not detached) target; dX̂ = g·(X̂ − X).
                                    let x = batch.Xu.p + Int(idx[b * L + j]) * d, dxpos = dXpos + (b * L + j) * d
                                    var e: Float = 0
                                    for t in 0..<d {
                                        let diff = xhat[t] - x[t]
                                        e += diff * diff
                                        dx[t] = g * diff
                                        dxpos[t] -= g * diff
                                    }
                                    rowError += e
                                    // dβ[m] = dX̂·V[m]; dV[m] += β[j,m]·dX̂; dR[j,m] = β(dβ − Σβdβ).
                                    var sb: Float = 0
                                    for m in valid {
                                        let s2 = Kernels.dot(dx.p, V + m * d, d)
                                        Kernels.axpy(bj[m], dx.p, dv.p + m * d, d)
                                        dbeta[m] = s2; sb += bj[m] * s2
                                    }
                                    for m in valid {
                                        let w = bj[m] * (dbeta[m] - sb)
                                        Kernels.axpy(w, wj, dct.p + m * d, d)            // dCt[m] += dR[j,m]·W3_2[j]
                                        Kernels.axpy(w, ct.p + m * d, dW32 + j * d, d)   // dW3_2[j] += dR[j,m]·Ct[m]
                                    }
                                }
                                // [dPre | dV], dPre = dCt ⊙ (1 − Ct²), replaces [Pre | V].
                                for t in 0..<Ld { pre[t] = dct[t] * (1 - ct[t] * ct[t]) }
                                V.update(from: dv.p, count: Ld)
                                parts[i] = Double(rowError)
                            }
                        }
                        sgemmSerial(false, false, nb, d, 2 * Ld, 1, pvBlock.p, 2 * Ld, M.p, d, 0, dZa.p + i0 * d, d)
                        sgemmSerial(true, false, 2 * Ld, d, nb, 1, pvBlock.p, 2 * Ld, Za.p + i0 * d, d, 1, dMg, d)
                        addColumnSums(pvBlock.p, rows: nb, n: 2 * Ld, into: dBiasG)
                        u = uNext
                    }
                }
            }
        }
        let dW32 = grads.p("W3_2")
        for grp in 0..<groups { Kernels.axpy(1, dW32Parts.p + grp * L * d, dW32, L * d) }
        let dM = dMParts, dBias = dBiasParts
        for grp in 1..<max(groups, 1) {
            Kernels.axpy(1, dMParts.p + grp * 2 * Ld * d, dM.p, 2 * Ld * d)
            Kernels.axpy(1, dBiasParts.p + grp * 2 * Ld, dBias.p, 2 * Ld)
        }
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
