import Foundation

/// Re-attend (docs/model.md §3.2): the attention that builds an interest should agree
/// with the matching criterion. With S = Z·Xᵀ (raw dot products, padding −1e9),
///
///     Â     = softmax_L(S)          (not detached: gradient reaches Z and X)
///     L_att = −Σ Â · log_softmax_L(logits) / Σ Â
///
/// Σ Â is B·K (every row of Â sums to 1), so its gradient vanishes.
public enum ReAttend {
    /// - Parameters:
    ///   - Z: raw interests (B, K, d); - logits: the encoder's attention logits (B, K, L).
    ///   - scale: λ_att; gradients are multiplied by it.
    ///   - dZ, dXpos: gradients are added (dXpos is per position, B·L·d).
    ///   - dLogits: gradient is added, if the encoder's attention has one.
    /// - Returns: L_att (unscaled).
    public static func loss(_ batch: HistoryBatch, Z: UnsafePointer<Float>, logits: UnsafePointer<Float>, K: Int,
                            scale: Float, dZ: UnsafeMutablePointer<Float>, dXpos: UnsafeMutablePointer<Float>,
                            dLogits: UnsafeMutablePointer<Float>?) -> Double {
        let B = batch.B, L = batch.L, d = batch.d
        let BK = B * K
        let parts = DoubleBuffer(B), mass = DoubleBuffer(B)
        let Ahat = FloatBuffer(BK * L), logA = FloatBuffer(BK * L)
        batch.idx.withUnsafeBufferPointer { idx in
            parallelChunks(B, minChunk: 16) { range in
                let sBuf = UnsafeMutablePointer<Float>.allocate(capacity: L)
                defer { sBuf.deallocate() }
                for b in range {
                    for k in 0..<K {
                        let r = (b * K + k) * L
                        let z = Z + (b * K + k) * d
                        var mS = -Float.infinity, mL = -Float.infinity
                        let s = sBuf
                        s.update(repeating: Masking.logit, count: L)
                        for l in 0..<L {
                            let u = Int(idx[b * L + l]); if u < 0 { continue }
                            let x = batch.Xu.p + u * d
                            s[l] = Kernels.dot(z, x, d)
                        }
                        for l in 0..<L { mS = max(mS, s[l]); mL = max(mL, logits[r + l]) }
                        var sumS: Float = 0, sumL: Float = 0
                        for l in 0..<L { sumS += expf(s[l] - mS); sumL += expf(logits[r + l] - mL) }
                        let lseL = logf(sumL) + mL
                        for l in 0..<L {
                            let valid = idx[b * L + l] >= 0
                            Ahat[r + l] = valid ? expf(s[l] - mS) / sumS : 0
                            logA[r + l] = logits[r + l] - lseL
                            if valid {
                                parts[b] -= Double(Ahat[r + l]) * Double(logA[r + l])
                                mass[b] += Double(Ahat[r + l])
                            }
                        }
                    }
                }
            }
        }
        let total = mass.sum
        guard total > 0 else { return 0 }
        let g = scale / Float(total)
        batch.idx.withUnsafeBufferPointer { idx in
            parallelChunks(B, minChunk: 16) { range in
                let dS = UnsafeMutablePointer<Float>.allocate(capacity: L)
                defer { dS.deallocate() }
                for b in range {
                    for k in 0..<K {
                        let r = (b * K + k) * L
                        // ∂/∂logits of −Σ Â log_softmax(logits) = softmax(logits) − Â (rows of Â sum to 1).
                        if let dLogits {
                            for l in 0..<L where idx[b * L + l] >= 0 { dLogits[r + l] += g * (expf(logA[r + l]) - Ahat[r + l]) }
                        }
                        // dÂ = −g·logA; dS = Â ⊙ (dÂ − Σ Â dÂ).
                        var dot: Float = 0
                        for l in 0..<L where idx[b * L + l] >= 0 { dot += Ahat[r + l] * (-g * logA[r + l]) }
                        for l in 0..<L {
                            dS[l] = idx[b * L + l] >= 0 ? Ahat[r + l] * (-g * logA[r + l] - dot) : 0
                        }
                        let z = Z + (b * K + k) * d, dz = dZ + (b * K + k) * d
                        for l in 0..<L where dS[l] != 0 {
                            let u = Int(idx[b * L + l])
                            let x = batch.Xu.p + u * d, dx = dXpos + (b * L + l) * d
                            Kernels.axpy(dS[l], x, dz, d)
                            Kernels.axpy(dS[l], z, dx, d)
                        }
                    }
                }
            }
        }
        return parts.sum / total
    }
}
