import Foundation

/// ComiRec's self-attentive encoder (docs/model.md §2.2, Cen et al. 2020):
///
///     logits = (tanh((X + P) · Wa + ba) · Wb + bb)ᵀ     (B,K,L), padding → -1e9
///     A      = softmax_L(logits)
///     V      = A · X                                   (no positional term)
///
/// U = Z = V (no fc1). Glorot-uniform weights, zero biases, as ComiRec's TF code.
public struct ComiRecSAEncoder: InterestEncoder {
    public let config: ModelConfig
    public var attentionHasGradient: Bool { true }
    public init(config: ModelConfig) { self.config = config }

    public func initialize(_ params: inout ParameterSet, _ rng: inout SeededRandom) {
        let d = config.dim, K = config.interests, L = config.maxLength, H4 = 4 * config.dim
        params.add("position_embedding", shape: [L, d], values: Init.glorot(L * d, fanIn: L, fanOut: d, &rng))
        params.add("sa.Wa", shape: [d, H4], values: Init.glorot(d * H4, fanIn: d, fanOut: H4, &rng))
        params.add("sa.ba", shape: [H4])
        params.add("sa.Wb", shape: [H4, K], values: Init.glorot(H4 * K, fanIn: H4, fanOut: K, &rng))
        params.add("sa.bb", shape: [K])
    }

    public func forward(_ batch: HistoryBatch, _ params: ParameterSet) -> EncoderState {
        let B = batch.B, L = batch.L, d = batch.d, K = config.interests, H4 = 4 * d, BL = B * L
        let st = EncoderState(B: B, K: K, L: L, d: d)
        let Hin = FloatBuffer(BL * d), T = FloatBuffer(BL * H4), G = FloatBuffer(BL * K)
        let P = params.p("position_embedding")
        batch.idx.withUnsafeBufferPointer { idx in
            for pos in 0..<BL {
                let u = Int(idx[pos]), l = pos % L, h = Hin.p + pos * d
                for j in 0..<d { h[j] = P[l * d + j] + (u >= 0 ? batch.Xu[u * d + j] : 0) }
            }
        }
        sgemm(false, false, m: BL, n: H4, k: d, Hin.p, lda: d, params.p("sa.Wa"), ldb: H4, T.p, ldc: H4)
        addBiasTanh(T.p, bias: params.p("sa.ba"), rows: BL, n: H4)
        sgemm(false, false, m: BL, n: K, k: H4, T.p, lda: H4, params.p("sa.Wb"), ldb: K, G.p, ldc: K)
        let bb = params.p("sa.bb")
        batch.idx.withUnsafeBufferPointer { idx in
            for b in 0..<B { for k in 0..<K { for l in 0..<L {
                st.logits[(b * K + k) * L + l] = idx[b * L + l] < 0 ? Masking.logit : G[(b * L + l) * K + k] + bb[k]
            } } }
        }
        softmaxRows(st.logits.p, st.A.p, rows: B * K, L: L)
        attendPooling(batch, A: st.A.p, V: batch.Xu.p, Z: st.Z.p, K: K)
        st.U.p.update(from: st.Z.p, count: B * K * d)
        st.saved = ["Hin": Hin, "T": T]
        return st
    }

    public func backward(_ batch: HistoryBatch, _ params: ParameterSet, _ st: EncoderState,
                         dU: FloatBuffer, dZ: FloatBuffer?, dLogits: FloatBuffer?,
                         grads: inout ParameterSet, dXu: FloatBuffer) {
        let B = batch.B, L = batch.L, d = batch.d, K = config.interests, H4 = 4 * d, BL = B * L, BK = B * K
        let Hin = st.saved["Hin"]!, T = st.saved["T"]!
        let dV = FloatBuffer(BK * d)
        for i in 0..<(BK * d) { dV[i] = dU[i] + (dZ?[i] ?? 0) }
        let dA = FloatBuffer(BK * L)
        attendPoolingBackward(batch, A: st.A.p, V: batch.Xu.p, dZ: dV.p, dA: dA.p, dV: dXu.p, K: K)
        let dLog = FloatBuffer(BK * L)
        softmaxBackwardRows(st.A.p, dA.p, dLog.p, rows: BK, L: L)
        if let dLogits { for i in 0..<(BK * L) { dLog[i] += dLogits[i] } }
        let dG = FloatBuffer(BL * K)
        let dbb = grads.p("sa.bb")
        batch.idx.withUnsafeBufferPointer { idx in
            for b in 0..<B { for l in 0..<L where idx[b * L + l] >= 0 { for k in 0..<K {
                let g = dLog[(b * K + k) * L + l]
                dG[(b * L + l) * K + k] = g
                dbb[k] += g
            } } }
        }
        sgemm(true, false, m: H4, n: K, k: BL, T.p, lda: H4, dG.p, ldb: K, beta: 1, grads.p("sa.Wb"), ldc: K)
        let dT = FloatBuffer(BL * H4)
        sgemm(false, true, m: BL, n: H4, k: K, dG.p, lda: K, params.p("sa.Wb"), ldb: K, dT.p, ldc: H4)
        for i in 0..<(BL * H4) { let t = T[i]; dT[i] *= (1 - t * t) }
        addColumnSums(dT.p, rows: BL, n: H4, into: grads.p("sa.ba"))
        sgemm(true, false, m: d, n: H4, k: BL, Hin.p, lda: d, dT.p, ldb: H4, beta: 1, grads.p("sa.Wa"), ldc: H4)
        let dH = FloatBuffer(BL * d)
        sgemm(false, true, m: BL, n: d, k: H4, dT.p, lda: H4, params.p("sa.Wa"), ldb: H4, dH.p, ldc: d)
        let dP = grads.p("position_embedding")
        batch.idx.withUnsafeBufferPointer { idx in
            for pos in 0..<BL {
                let l = pos % L, h = dH.p + pos * d
                for j in 0..<d { dP[l * d + j] += h[j] }
                let u = Int(idx[pos]); if u < 0 { continue }
                for j in 0..<d { dXu[u * d + j] += h[j] }
            }
        }
    }
}
