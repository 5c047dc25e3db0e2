import Foundation

/// ComiRec's dynamic-routing (capsule) encoder (docs/model.md §2.3):
///
///     û[b,k,l] = W[l,k] · X[b,l]            W: L × K·d × d, N(0,1)
///     routing logits r = 0; repeat 3 times:
///         c = softmax over K of r; c = 0 at padding
///         z_k = Σ_l c[k,l] · û[k,l];  v_k = squash(z_k)
///         r += û · v                      (first two iterations only, no gradient)
///
/// Only the last iteration's z carries gradient, and only through û (c is
/// treated as a constant, as ComiRec's stop_gradient does). U = Z = V. The
/// "attention" for the backward flows is the final c renormalised over L; its
/// logits are log c, so Re-attend's log-softmax gives log A, but no gradient
/// reaches the routing.
public struct ComiRecDREncoder: InterestEncoder {
    public let config: ModelConfig
    public var attentionHasGradient: Bool { false }
    /// Test hook: routing weights c (B,K,L) to use instead of routing. Gradient
    /// checks need it, because finite differences would otherwise see the
    /// routing's dependence on the weights, which the model treats as constant.
    var fixedRouting: FloatBuffer? = nil

    public init(config: ModelConfig) { self.config = config }

    /// Squash's ε inside the square root (ComiRec: 1e-9).
    static let squashEpsilon: Float = 1e-9

    public func initialize(_ params: inout ParameterSet, _ rng: inout SeededRandom) {
        let d = config.dim, K = config.interests, L = config.maxLength
        params.add("dr.W", shape: [L, K * d, d], values: Init.normal(L * K * d * d, &rng))
    }

    public func forward(_ batch: HistoryBatch, _ params: ParameterSet) -> EncoderState {
        let B = batch.B, L = batch.L, d = batch.d, K = config.interests, Kd = K * d
        let st = EncoderState(B: B, K: K, L: L, d: d)
        // Û laid out (L, B, K·d): one sgemm per position l.
        let Uhat = FloatBuffer(L * B * Kd), Xl = FloatBuffer(B * d)
        let W = params.p("dr.W")
        for l in 0..<L {
            batch.idx.withUnsafeBufferPointer { idx in
                for b in 0..<B {
                    let u = Int(idx[b * L + l]), x = Xl.p + b * d
                    if u < 0 { x.update(repeating: 0, count: d) } else { x.update(from: batch.Xu.p + u * d, count: d) }
                }
            }
            sgemm(false, true, m: B, n: Kd, k: d, Xl.p, lda: d, W + l * Kd * d, ldb: d, Uhat.p + l * B * Kd, ldc: Kd)
        }
        let c = FloatBuffer(B * K * L), zLast = FloatBuffer(B * K * d)
        batch.idx.withUnsafeBufferPointer { idx in
            parallelChunks(B, minChunk: 16) { range in
                var r = [Float](repeating: 0, count: K * L)
                var z = [Float](repeating: 0, count: d)
                for b in range {
                    for i in 0..<(K * L) { r[i] = 0 }
                    let fixed = fixedRouting
                    for it in 0..<config.routingIterations {
                        if fixed != nil, it < config.routingIterations - 1 { continue }
                        // c = softmax over K per position; 0 at padding.
                        for l in 0..<L {
                            if let fixed {
                                for k in 0..<K { c[(b * K + k) * L + l] = fixed[(b * K + k) * L + l] }
                                continue
                            }
                            let cp = c.p + b * K * L
                            if idx[b * L + l] < 0 { for k in 0..<K { cp[k * L + l] = 0 }; continue }
                            var m = -Float.infinity
                            for k in 0..<K { m = max(m, r[k * L + l]) }
                            var s: Float = 0
                            for k in 0..<K { let e = expf(r[k * L + l] - m); cp[k * L + l] = e; s += e }
                            for k in 0..<K { cp[k * L + l] /= s }
                        }
                        for k in 0..<K {
                            for j in 0..<d { z[j] = 0 }
                            for l in 0..<L {
                                let w = c[(b * K + k) * L + l]; if w == 0 { continue }
                                let uh = Uhat.p + (l * B + b) * Kd + k * d
                                for j in 0..<d { z[j] += w * uh[j] }
                            }
                            let v = st.Z.p + (b * K + k) * d
                            ComiRecDREncoder.squash(z, into: v, d: d)
                            if it == config.routingIterations - 1 {
                                for j in 0..<d { zLast[(b * K + k) * d + j] = z[j] }
                            } else {
                                for l in 0..<L where idx[b * L + l] >= 0 {
                                    let uh = Uhat.p + (l * B + b) * Kd + k * d
                                    var s: Float = 0
                                    for j in 0..<d { s += uh[j] * v[j] }
                                    r[k * L + l] += s
                                }
                            }
                        }
                    }
                    // A = c renormalised over L; logits = log c (padding masked).
                    for k in 0..<K {
                        let cp = c.p + (b * K + k) * L
                        var s: Float = 0
                        for l in 0..<L { s += cp[l] }
                        for l in 0..<L {
                            let valid = idx[b * L + l] >= 0
                            st.A[(b * K + k) * L + l] = valid && s > 0 ? cp[l] / s : 0
                            st.logits[(b * K + k) * L + l] = valid ? logf(max(cp[l], Float.leastNormalMagnitude)) : Masking.logit
                        }
                    }
                }
            }
        }
        st.U.p.update(from: st.Z.p, count: B * K * d)
        st.saved = ["Uhat": Uhat, "c": c, "z": zLast]
        return st
    }

    /// v = |z|²/(1+|z|²) · z/sqrt(|z|²+ε).
    @inline(__always)
    static func squash(_ z: [Float], into v: UnsafeMutablePointer<Float>, d: Int) {
        var n2: Float = 0
        for j in 0..<d { n2 += z[j] * z[j] }
        let f = n2 / (1 + n2) / (n2 + squashEpsilon).squareRoot()
        for j in 0..<d { v[j] = f * z[j] }
    }

    public func backward(_ batch: HistoryBatch, _ params: ParameterSet, _ st: EncoderState,
                         dU: FloatBuffer, dZ: FloatBuffer?, dLogits: FloatBuffer?,
                         grads: inout ParameterSet, dXu: FloatBuffer) {
        let B = batch.B, L = batch.L, d = batch.d, K = config.interests, Kd = K * d
        let c = st.saved["c"]!, z = st.saved["z"]!
        // Squash backward: v = f(n2)·z, n2 = |z|²; dz = f·dv + 2 f'(n2) (z·dv) z.
        let dz = FloatBuffer(B * K * d)
        for r in 0..<(B * K) {
            let zr = z.p + r * d
            var n2: Float = 0, zdv: Float = 0
            for j in 0..<d {
                let g = dU[r * d + j] + (dZ?[r * d + j] ?? 0)
                n2 += zr[j] * zr[j]; zdv += zr[j] * g
            }
            let e = ComiRecDREncoder.squashEpsilon
            let g1 = n2 / (1 + n2), h = 1 / (n2 + e).squareRoot()
            let f = g1 * h
            let fp = h / ((1 + n2) * (1 + n2)) - 0.5 * g1 * h / (n2 + e)
            for j in 0..<d {
                let g = dU[r * d + j] + (dZ?[r * d + j] ?? 0)
                dz[r * d + j] = f * g + 2 * fp * zdv * zr[j]
            }
        }
        // dÛ[l,b,k] = c[b,k,l]·dz[b,k]; dW[l] += dÛ_lᵀ X_l; dX_l = dÛ_l · W[l].
        let dUh = FloatBuffer(B * Kd), Xl = FloatBuffer(B * d), dXl = FloatBuffer(B * d)
        let W = params.p("dr.W"), dW = grads.p("dr.W")
        batch.idx.withUnsafeBufferPointer { idx in
            for l in 0..<L {
                for b in 0..<B {
                    let u = Int(idx[b * L + l]), x = Xl.p + b * d
                    if u < 0 { x.update(repeating: 0, count: d) } else { x.update(from: batch.Xu.p + u * d, count: d) }
                    for k in 0..<K {
                        let w = c[(b * K + k) * L + l]
                        for j in 0..<d { dUh[b * Kd + k * d + j] = w * dz[(b * K + k) * d + j] }
                    }
                }
                sgemm(true, false, m: Kd, n: d, k: B, dUh.p, lda: Kd, Xl.p, ldb: d, beta: 1, dW + l * Kd * d, ldc: d)
                sgemm(false, false, m: B, n: d, k: Kd, dUh.p, lda: Kd, W + l * Kd * d, ldb: d, dXl.p, ldc: d)
                for b in 0..<B {
                    let u = Int(idx[b * L + l]); if u < 0 { continue }
                    for j in 0..<d { dXu[u * d + j] += dXl[b * d + j] }
                }
            }
        }
    }
}
