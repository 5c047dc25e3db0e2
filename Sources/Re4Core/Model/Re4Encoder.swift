import Foundation

/// The self-attentive multi-interest extractor of the authors' Re4 script
/// (docs/model.md §2.1):
///
///     logits = W1_2 · tanh(W1 · Xᵀ)      (B,K,L), padding → -1e9
///     A      = softmax_L(logits)
///     Z      = A · (X · W2)              raw interests
///     U      = tanh(Z · fc1ᵀ + b1)       interests used for matching
///
/// The attention MLP and X·W2 act on single items, so they are computed once per
/// distinct item of the batch (see `HistoryBatch`).
public struct Re4Encoder: InterestEncoder {
    public let config: ModelConfig
    public var attentionHasGradient: Bool { true }

    public init(config: ModelConfig) { self.config = config }

    public func initialize(_ params: inout ParameterSet, _ rng: inout SeededRandom) {
        let d = config.dim, H = config.hidden, K = config.interests
        params.add("W1", shape: [H, d], values: Init.normal(H * d, &rng))
        params.add("W1_2", shape: [K, H], values: Init.normal(K * H, &rng))
        params.add("W2", shape: [d, d], values: Init.normal(d * d, &rng))
        params.add("fc1.weight", shape: [d, d], values: Init.linear(d * d, fanIn: d, &rng))
        params.add("fc1.bias", shape: [d], values: Init.linear(d, fanIn: d, &rng))
    }

    public func forward(_ batch: HistoryBatch, _ params: ParameterSet) -> EncoderState {
        let B = batch.B, L = batch.L, d = batch.d, K = config.interests, H = config.hidden, nu = batch.nu
        let st = EncoderState(B: B, K: K, L: L, d: d)
        let Tu = FloatBuffer(uninitialized: nu * H), Gu = FloatBuffer(uninitialized: nu * K), XWu = FloatBuffer(uninitialized: nu * d)
        // Tu = tanh(Xu · W1ᵀ); Gu = Tu · W1_2ᵀ; XWu = Xu · W2.
        sgemm(false, true, m: nu, n: H, k: d, batch.Xu.p, lda: d, params.p("W1"), ldb: d, Tu.p, ldc: H)
        parallelChunks(nu, minChunk: 64) { r in addBiasTanh(Tu.p + r.lowerBound * H, bias: nil, rows: r.count, n: H) }
        sgemm(false, true, m: nu, n: K, k: H, Tu.p, lda: H, params.p("W1_2"), ldb: H, Gu.p, ldc: K)
        sgemm(false, false, m: nu, n: d, k: d, batch.Xu.p, lda: d, params.p("W2"), ldb: d, XWu.p, ldc: d)
        batch.idx.withUnsafeBufferPointer { idx in
            for b in 0..<B {
                for k in 0..<K {
                    for l in 0..<L {
                        let u = Int(idx[b * L + l])
                        st.logits[(b * K + k) * L + l] = u < 0 ? Masking.logit : Gu[u * K + k]
                    }
                }
            }
        }
        softmaxRows(st.logits.p, st.A.p, rows: B * K, L: L)
        attendPooling(batch, A: st.A.p, V: XWu.p, Z: st.Z.p, K: K)
        // U = tanh(Z · fc1ᵀ + b1).
        sgemm(false, true, m: B * K, n: d, k: d, st.Z.p, lda: d, params.p("fc1.weight"), ldb: d, st.U.p, ldc: d)
        addBiasTanh(st.U.p, bias: params.p("fc1.bias"), rows: B * K, n: d)
        st.saved = ["Tu": Tu, "XWu": XWu]
        return st
    }

    public func backward(_ batch: HistoryBatch, _ params: ParameterSet, _ st: EncoderState,
                         dU: FloatBuffer, dZ: FloatBuffer?, dLogits: FloatBuffer?,
                         grads: inout ParameterSet, dXu: FloatBuffer) {
        let B = batch.B, L = batch.L, d = batch.d, K = config.interests, H = config.hidden, nu = batch.nu
        let BK = B * K
        let Tu = st.saved["Tu"]!, XWu = st.saved["XWu"]!
        // U = tanh(pre): dPre = dU ⊙ (1 − U²).
        let dPre = FloatBuffer(BK * d)
        for i in 0..<(BK * d) { let u = st.U[i]; dPre[i] = dU[i] * (1 - u * u) }
        let dZt = FloatBuffer(BK * d)
        if let dZ { dZt.p.update(from: dZ.p, count: BK * d) }
        sgemm(false, false, m: BK, n: d, k: d, dPre.p, lda: d, params.p("fc1.weight"), ldb: d, beta: 1, dZt.p, ldc: d)
        sgemm(true, false, m: d, n: d, k: BK, dPre.p, lda: d, st.Z.p, ldb: d, beta: 1, grads.p("fc1.weight"), ldc: d)
        addColumnSums(dPre.p, rows: BK, n: d, into: grads.p("fc1.bias"))
        // Z = A · XW.
        let dA = FloatBuffer(BK * L), dXWu = FloatBuffer(nu * d)
        attendPoolingBackward(batch, A: st.A.p, V: XWu.p, dZ: dZt.p, dA: dA.p, dV: dXWu.p, K: K)
        // A = softmax(logits), plus Re-attend's direct logit gradient.
        let dLog = FloatBuffer(BK * L)
        softmaxBackwardRows(st.A.p, dA.p, dLog.p, rows: BK, L: L)
        if let dLogits { for i in 0..<(BK * L) { dLog[i] += dLogits[i] } }
        // logits[b,k,l] = Gu[idx, k]: gather backward (position order).
        let dGu = FloatBuffer(nu * K)
        batch.idx.withUnsafeBufferPointer { idx in
            for b in 0..<B { for l in 0..<L {
                let u = Int(idx[b * L + l]); if u < 0 { continue }
                for k in 0..<K { dGu[u * K + k] += dLog[(b * K + k) * L + l] }
            } }
        }
        // Gu = Tu · W1_2ᵀ; Tu = tanh(Xu · W1ᵀ); XWu = Xu · W2.
        sgemm(true, false, m: K, n: H, k: nu, dGu.p, lda: K, Tu.p, ldb: H, beta: 1, grads.p("W1_2"), ldc: H)
        let dT = FloatBuffer(uninitialized: nu * H)
        sgemm(false, false, m: nu, n: H, k: K, dGu.p, lda: K, params.p("W1_2"), ldb: H, dT.p, ldc: H)
        parallelChunks(nu * H, minChunk: 4096) { r in for i in r { let t = Tu[i]; dT[i] *= (1 - t * t) } }
        sgemm(true, false, m: H, n: d, k: nu, dT.p, lda: H, batch.Xu.p, ldb: d, beta: 1, grads.p("W1"), ldc: d)
        sgemm(false, false, m: nu, n: d, k: H, dT.p, lda: H, params.p("W1"), ldb: d, beta: 1, dXu.p, ldc: d)
        sgemm(true, false, m: d, n: d, k: nu, batch.Xu.p, lda: d, dXWu.p, ldb: d, beta: 1, grads.p("W2"), ldc: d)
        sgemm(false, true, m: nu, n: d, k: d, dXWu.p, lda: d, params.p("W2"), ldb: d, beta: 1, dXu.p, ldc: d)
    }
}
