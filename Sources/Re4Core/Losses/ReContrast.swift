import Foundation

/// Re-contrast (docs/model.md §3.3): each interest is pulled towards the history items it
/// attends to and pushed away from its other items, the user's other interests,
/// and the items of another example in the batch. Cosine similarities, τ = 0.02:
///
///     pos[b,k,i] = A[b,k,i] > 1/len_b  and i valid          (hard gate, no gradient)
///     den[b,k]   = Σ_{i valid} e^{ẑ_k·x̂_i/τ} + Σ_{m≠k} e^{ẑ_k·ẑ_m/τ} + Σ_{j valid in b'} e^{ẑ_k·x̂'_j/τ},
///                  b' = (b−1) mod B
///     ℓ[b,k,i]   = −ẑ_k·x̂_i/τ + log den[b,k]  at positives, else 0
///     L_ct       = Σ ℓ / (B·K·L)                              (mean over all entries)
///
/// Everything is computed in log space: e^{1/0.02} = e^50 is near float32's edge.
public enum ReContrast {
    /// - Parameters:
    ///   - A: attention (B, K, L); - Z: raw interests (B, K, d).
    ///   - scale: λ_ct; gradients are multiplied by it.
    ///   - dZ: gradient added (B, K, d); dXu: gradient added per distinct item (nu, d).
    /// - Returns: L_ct (unscaled) and the positives count per (b, k).
    @discardableResult
    public static func loss(_ batch: HistoryBatch, Z: UnsafePointer<Float>, A: UnsafePointer<Float>, K: Int, tau: Float,
                            scale: Float, dZ: UnsafeMutablePointer<Float>, dXu: UnsafeMutablePointer<Float>) -> Double {
        let B = batch.B, L = batch.L, d = batch.d, nu = batch.nu
        // Unit vectors of the distinct items and of the interests.
        let Xn = FloatBuffer(nu * d), xNorm = FloatBuffer(nu)
        for u in 0..<nu { xNorm[u] = normalize(batch.Xu.p + u * d, into: Xn.p + u * d, d: d) }
        let Zn = FloatBuffer(B * K * d), zNorm = FloatBuffer(B * K)
        for r in 0..<(B * K) { zNorm[r] = normalize(Z + r * d, into: Zn.p + r * d, d: d) }
        let dZn = FloatBuffer(B * K * d)
        // Item-side gradients: own positions (per b) and positions of b' (per b, merged later).
        let dOwn = FloatBuffer(B * L * d), dOther = FloatBuffer(B * L * d)
        let g = scale / Float(B * K * L)
        let invTau = 1 / tau
        let parts = DoubleBuffer(B)
        batch.idx.withUnsafeBufferPointer { idx in
            batch.lengths.withUnsafeBufferPointer { lengths in
                parallelChunks(B, minChunk: 16) { range in
                    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * L + K + K * K)
                    defer { scratch.deallocate() }
                    let sOwn = scratch, sOther = scratch + L, sInt = scratch + 2 * L
                    // ∂ℓ/∂s for the interest pair (k, k2), kept to move ẑ_k2 as well.
                    let cInt = scratch + 2 * L + K
                    for b in range {
                        for i in 0..<(K * K) { cInt[i] = 0 }
                        let bp = (b - 1 + B) % B
                        let gamma = 1 / Float(min(Int(lengths[b]), L))
                        for k in 0..<K {
                            let zk = Zn.p + (b * K + k) * d
                            var m = -Float.infinity
                            for l in 0..<L {
                                let u = Int(idx[b * L + l])
                                sOwn[l] = u < 0 ? -Float.infinity : dot(zk, Xn.p + u * d, d) * invTau
                                let v = Int(idx[bp * L + l])
                                sOther[l] = v < 0 ? -Float.infinity : dot(zk, Xn.p + v * d, d) * invTau
                                m = max(m, sOwn[l], sOther[l])
                            }
                            for k2 in 0..<K where k2 != k {
                                sInt[k2] = dot(zk, Zn.p + (b * K + k2) * d, d) * invTau
                                m = max(m, sInt[k2])
                            }
                            var sum: Float = 0
                            for l in 0..<L { sum += expf(sOwn[l] - m) + expf(sOther[l] - m) }
                            for k2 in 0..<K where k2 != k { sum += expf(sInt[k2] - m) }
                            let lden = logf(sum) + m
                            var P = 0
                            for l in 0..<L where idx[b * L + l] >= 0 && A[(b * K + k) * L + l] > gamma {
                                P += 1
                                parts[b] += Double(lden - sOwn[l])
                            }
                            if P == 0 { continue }
                            // ∂ℓ/∂s: c·softmax weight for every term of den, −g at each positive.
                            let c = Float(P) * g
                            let dzk = dZn.p + (b * K + k) * d
                            for l in 0..<L {
                                let u = Int(idx[b * L + l])
                                if u >= 0 {
                                    var ds = c * expf(sOwn[l] - lden)
                                    if A[(b * K + k) * L + l] > gamma { ds -= g }
                                    ds *= invTau
                                    axpy(ds, Xn.p + u * d, dzk, d)
                                    axpy(ds, zk, dOwn.p + (b * L + l) * d, d)
                                }
                                let v = Int(idx[bp * L + l])
                                if v >= 0 {
                                    let ds = c * expf(sOther[l] - lden) * invTau
                                    axpy(ds, Xn.p + v * d, dzk, d)
                                    axpy(ds, zk, dOther.p + (b * L + l) * d, d)
                                }
                            }
                            for k2 in 0..<K where k2 != k {
                                let ds = c * expf(sInt[k2] - lden) * invTau
                                axpy(ds, Zn.p + (b * K + k2) * d, dzk, d)
                                cInt[k * K + k2] = ds
                            }
                        }
                        // ∂(ẑ_k·ẑ_k2)/∂ẑ_k2 = ẑ_k: only this chunk touches example b.
                        for k in 0..<K { for k2 in 0..<K where cInt[k * K + k2] != 0 {
                            axpy(cInt[k * K + k2], Zn.p + (b * K + k) * d, dZn.p + (b * K + k2) * d, d)
                        } }
                    }
                }
            }
            // Unit-vector backward for the interests.
            for r in 0..<(B * K) { normalizeBackward(Zn.p + r * d, norm: zNorm[r], dUnit: dZn.p + r * d, into: dZ + r * d, d: d) }
            // Merge item-side gradients per distinct item, then unit-vector backward once per item.
            let dXn = FloatBuffer(nu * d)
            for b in 0..<B {
                let bp = (b - 1 + B) % B
                for l in 0..<L {
                    let u = Int(idx[b * L + l])
                    if u >= 0 { axpy(1, dOwn.p + (b * L + l) * d, dXn.p + u * d, d) }
                    let v = Int(idx[bp * L + l])
                    if v >= 0 { axpy(1, dOther.p + (b * L + l) * d, dXn.p + v * d, d) }
                }
            }
            for u in 0..<nu { normalizeBackward(Xn.p + u * d, norm: xNorm[u], dUnit: dXn.p + u * d, into: dXu + u * d, d: d) }
        }
        return parts.sum / Double(B * K * L)
    }

    @inline(__always) static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ d: Int) -> Float {
        Kernels.dot(a, b, d)
    }

    @inline(__always) static func axpy(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ d: Int) {
        Kernels.axpy(a, x, y, d)
    }

    /// x̂ = x/|x| (a zero vector stays zero). Returns |x|.
    @inline(__always) static func normalize(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, d: Int) -> Float {
        let n = dot(x, x, d).squareRoot()
        let inv: Float = n > 0 ? 1 / n : 0
        for j in 0..<d { y[j] = x[j] * inv }
        return n
    }

    /// dx += (dx̂ − x̂ (x̂·dx̂)) / |x|.
    @inline(__always) static func normalizeBackward(_ unit: UnsafePointer<Float>, norm: Float, dUnit: UnsafePointer<Float>,
                                                    into dx: UnsafeMutablePointer<Float>, d: Int) {
        guard norm > 0 else { return }
        let p = dot(unit, dUnit, d)
        let inv = 1 / norm
        for j in 0..<d { dx[j] += (dUnit[j] - unit[j] * p) * inv }
    }
}
