import Foundation

/// REMI's routing regularisation (Xie et al., RecSys 2023; `calculate_atten_loss`
/// in Tokkiu/REMI, weight `--rlambda`): a penalty on the variance of each
/// interest's routing (attention) row, which keeps an interest from spreading
/// its weight evenly over the history (routing collapse):
///
///     v_bk = Σ_l (A_bkl − μ_bk)² / d,   μ_bk = mean_l A_bkl over all L positions,
///     ℓ_rr = Σ_b Σ_k v_bk²              (summed over the batch, as REMI's code does)
///
/// The mean runs over every one of the L positions, padding included (REMI masks
/// padding to ~0 before the softmax and takes `torch.mean` over the whole row);
/// the attention here is exactly 0 at padding, so the value is the same.
/// ∂ℓ/∂A_bkl = 4 v_bk (A_bkl − μ_bk) / d (the μ term vanishes: Σ_l (A − μ) = 0).
public enum RoutingRegularizer {
    /// The unweighted loss; adds `scale`·∂ℓ/∂logits into `dLogits` (through the
    /// masked softmax A = softmax(logits)) when given.
    public static func loss(A: UnsafePointer<Float>, B: Int, K: Int, L: Int, d: Int, scale: Float,
                            dLogits: UnsafeMutablePointer<Float>?) -> Double {
        let rows = B * K
        let parts = DoubleBuffer(rows)
        let dA = dLogits == nil ? nil : FloatBuffer(L)
        let dX = dLogits == nil ? nil : FloatBuffer(L)
        for r in 0..<rows {
            let a = A + r * L
            var mu = 0.0
            for l in 0..<L { mu += Double(a[l]) }
            mu /= Double(L)
            var v = 0.0
            for l in 0..<L { let c = Double(a[l]) - mu; v += c * c }
            v /= Double(d)
            parts[r] = v * v
            if let dLogits, let dA, let dX {
                let g = 4 * v / Double(d) * Double(scale)
                for l in 0..<L { dA[l] = Float(g * (Double(a[l]) - mu)) }
                softmaxBackwardRows(a, dA.p, dX.p, rows: 1, L: L)
                let out = dLogits + r * L
                for l in 0..<L { out[l] += dX[l] }
            }
        }
        return parts.sum
    }
}
