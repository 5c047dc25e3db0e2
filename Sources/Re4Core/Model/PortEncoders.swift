import Foundation

/// Forward passes of the models in the public PyTorch ComiRec port
/// (ShiningCosmos/pytorch_ComiRec, which Tokkiu/REMI follows), computed as that
/// code computes them, for evaluating and looking inside models trained there
/// (docs/interop.md § Models from the PyTorch ComiRec ports). They cannot be
/// trained here: `backward` is never reached, because `Limits.check` refuses them.
///
/// The port reads a history **chronologically, left-aligned**: of the n = min(c, L)
/// items before the cut, position p holds s[c − n + p] and positions n..<L are
/// padding. The toolkit's batches are most recent first (slot j holds s[c−1−j]),
/// so slot j is the port's position p = n − 1 − j. The encoders use p wherever a
/// weight depends on the position and hand back A in the toolkit's slot order, so
/// every analysis reads them like the other encoders.
enum PortLayout {
    /// The port's position of slot j in a history of true length n.
    @inline(__always) static func position(slot j: Int, length n: Int) -> Int { n - 1 - j }
}

/// ComiRec-SA of the port: `embeddings.weight` (n+1)×d, `position_embedding`
/// 1×L×d, `linear1.0.weight` 4d×d then tanh, `linear2.weight` K×4d, no biases;
/// padding logits −2³²+1; interests A·X (no positional term in the values).
public struct PortComiRecSAEncoder: InterestEncoder {
    public let config: ModelConfig
    public var attentionHasGradient: Bool { true }
    public init(config: ModelConfig) { self.config = config }


    static let paddingLogit: Float = -4_294_967_296  // −2³² + 1 rounds to −2³² in float, as in PyTorch

    public func initialize(_ params: inout ParameterSet, _ rng: inout SeededRandom) {
        let d = config.dim, K = config.interests, L = config.maxLength, H4 = 4 * d
        params.add("position_embedding", shape: [1, L, d], values: Init.normal(L * d, &rng, std: 0.1))
        params.add("linear1.0.weight", shape: [H4, d], values: Init.normal(H4 * d, &rng, std: 0.1))
        params.add("linear2.weight", shape: [K, H4], values: Init.normal(K * H4, &rng, std: 0.1))
    }

    public func forward(_ batch: HistoryBatch, _ params: ParameterSet) -> EncoderState {
        let B = batch.B, L = batch.L, d = batch.d, K = config.interests, H4 = 4 * d, BL = B * L
        let st = EncoderState(B: B, K: K, L: L, d: d)
        let Hin = FloatBuffer(BL * d), T = FloatBuffer(BL * H4), G = FloatBuffer(BL * K)
        let P = params.p("position_embedding")
        batch.idx.withUnsafeBufferPointer { idx in
            for b in 0..<B {
                let n = Int(batch.lengths[b])
                for j in 0..<L {
                    let u = Int(idx[b * L + j]); if u < 0 { continue }
                    let p = PortLayout.position(slot: j, length: n), h = Hin.p + (b * L + j) * d
                    for c in 0..<d { h[c] = batch.Xu[u * d + c] + P[p * d + c] }
                }
            }
        }
        sgemm(false, true, m: BL, n: H4, k: d, Hin.p, lda: d, params.p("linear1.0.weight"), ldb: d, T.p, ldc: H4)
        addBiasTanh(T.p, bias: nil, rows: BL, n: H4)
        sgemm(false, true, m: BL, n: K, k: H4, T.p, lda: H4, params.p("linear2.weight"), ldb: H4, G.p, ldc: K)
        batch.idx.withUnsafeBufferPointer { idx in
            for b in 0..<B { for k in 0..<K { for l in 0..<L {
                st.logits[(b * K + k) * L + l] = idx[b * L + l] < 0 ? Self.paddingLogit : G[(b * L + l) * K + k]
            } } }
        }
        softmaxRows(st.logits.p, st.A.p, rows: B * K, L: L)
        attendPooling(batch, A: st.A.p, V: batch.Xu.p, Z: st.Z.p, K: K)
        st.U.p.update(from: st.Z.p, count: B * K * d)
        return st
    }

    public func backward(_ batch: HistoryBatch, _ params: ParameterSet, _ state: EncoderState,
                         dU: FloatBuffer, dZ: FloatBuffer?, dLogits: FloatBuffer?,
                         grads: inout ParameterSet, dXu: FloatBuffer) {
        preconditionFailure("the PyTorch port's encoders are forward-only; Limits.check refuses training them")
    }
}

/// The port's capsule network, as ComiRec-DR (`capsule_network.w` 1×L×(K·d)×d,
/// one map per position and interest) or as MIND (`capsule_network.linear.weight`
/// d×d shared by all interests, routing logits started from N(0, 1)).
///
/// Routing, as the port does it: the logits r (K×L) start at 0 (DR) or random
/// (MIND); each of the iterations takes c = softmax of r over the **sequence**
/// axis (all L positions, padding included, padding then set to 0), z_k = Σ_p
/// c[k,p] û[k,p], v_k = squash(z_k) with ‖z‖²/(1+‖z‖²)/√(‖z‖²+1e−9); the first
/// two iterations add û·v to r. With `portReluLayer` the interests are
/// relu(v · Wᵀ) with `capsule_network.relu.0.weight`. A, for the analyses, is the
/// last c renormalised over the valid positions.
public struct PortCapsuleEncoder: InterestEncoder {
    public let config: ModelConfig
    public var attentionHasGradient: Bool { false }
    var isMIND: Bool { config.encoder == .portMIND }
    /// Test hook: MIND's starting logits (B, K, L) in the port's position order,
    /// to compare with a PyTorch run that drew them with its own generator.
    var initialLogits: FloatBuffer? = nil

    public init(config: ModelConfig) { self.config = config }

    public func initialize(_ params: inout ParameterSet, _ rng: inout SeededRandom) {
        let d = config.dim, K = config.interests, L = config.maxLength
        if isMIND {
            params.add("capsule_network.linear.weight", shape: [d, d], values: Init.normal(d * d, &rng, std: 0.1))
        } else {
            params.add("capsule_network.w", shape: [1, L, K * d, d], values: Init.normal(L * K * d * d, &rng, std: 0.1))
        }
        // The relu layer is used only with --relu-layer: a state dict without it loads otherwise.
        if config.portReluLayer {
            params.add("capsule_network.relu.0.weight", shape: [d, d], values: Init.normal(d * d, &rng, std: 0.1))
        }
    }

    /// MIND's starting logits for one history: N(0, 1), drawn from a stream keyed
    /// by the history's items, so a user gets the same interests in every command
    /// and batch (the port draws them afresh with torch.randn on every call).
    static func startingLogits(items: ArraySlice<Int32>, count: Int) -> [Float] {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for it in items { h = (h ^ UInt64(UInt32(bitPattern: it))) &* 0x100_0000_01B3 }
        var rng = SeededRandom(seed: h, stream: "mind-routing")
        return Init.normal(count, &rng)
    }

    public func forward(_ batch: HistoryBatch, _ params: ParameterSet) -> EncoderState {
        let B = batch.B, L = batch.L, d = batch.d, K = config.interests, Kd = K * d
        let st = EncoderState(B: B, K: K, L: L, d: d)
        // Û laid out (B, L, K·d) by the port's position p; zero at padding positions.
        let Uhat = FloatBuffer(B * L * Kd)
        let lengths = batch.lengths.map(Int.init)
        batch.idx.withUnsafeBufferPointer { idx in
            if isMIND {
                // û = W x, the same for every interest.
                let X = FloatBuffer(B * L * d), Y = FloatBuffer(B * L * d)
                for b in 0..<B { for j in 0..<lengths[b] {
                    let u = Int(idx[b * L + j]); if u < 0 { continue }
                    let p = PortLayout.position(slot: j, length: lengths[b])
                    (X.p + (b * L + p) * d).update(from: batch.Xu.p + u * d, count: d)
                } }
                sgemm(false, true, m: B * L, n: d, k: d, X.p, lda: d, params.p("capsule_network.linear.weight"), ldb: d, Y.p, ldc: d)
                for r in 0..<(B * L) { for k in 0..<K { (Uhat.p + r * Kd + k * d).update(from: Y.p + r * d, count: d) } }
            } else {
                // û[p] = W[p] x: gather the rows whose position is p, one sgemm per position.
                let W = params.p("capsule_network.w")
                let Xp = FloatBuffer(B * d), Yp = FloatBuffer(B * Kd)
                for p in 0..<L {
                    var rows: [Int] = []
                    for b in 0..<B where lengths[b] > p {
                        let j = PortLayout.position(slot: p, length: lengths[b]), u = Int(idx[b * L + j])  // the map is its own inverse
                        (Xp.p + rows.count * d).update(from: batch.Xu.p + u * d, count: d)
                        rows.append(b)
                    }
                    if rows.isEmpty { continue }
                    sgemm(false, true, m: rows.count, n: Kd, k: d, Xp.p, lda: d, W + p * Kd * d, ldb: d, Yp.p, ldc: Kd)
                    for (i, b) in rows.enumerated() { (Uhat.p + (b * L + p) * Kd).update(from: Yp.p + i * Kd, count: Kd) }
                }
            }
        }
        let relu = config.portReluLayer ? params.p("capsule_network.relu.0.weight") : nil
        parallelChunks(B, minChunk: 16) { range in
            var r = [Float](repeating: 0, count: K * L), c = [Float](repeating: 0, count: K * L)
            var z = [Float](repeating: 0, count: d)
            for b in range {
                let n = lengths[b]
                if isMIND {
                    if let initialLogits { for i in 0..<(K * L) { r[i] = initialLogits[b * K * L + i] } }
                    else { r = Self.startingLogits(items: batch.items[(b * L)..<(b * L + L)], count: K * L) }
                } else {
                    for i in 0..<(K * L) { r[i] = 0 }
                }
                let T = config.routingIterations
                for it in 0..<T {
                    for k in 0..<K {
                        // Softmax over all L positions; then 0 at padding (p ≥ n).
                        var m = -Float.infinity
                        for p in 0..<L { m = max(m, r[k * L + p]) }
                        var s: Float = 0
                        for p in 0..<L { let e = expf(r[k * L + p] - m); c[k * L + p] = e; s += e }
                        for p in 0..<L { c[k * L + p] = p < n ? c[k * L + p] / s : 0 }
                        for j in 0..<d { z[j] = 0 }
                        for p in 0..<n {
                            let w = c[k * L + p], uh = Uhat.p + (b * L + p) * Kd + k * d
                            for j in 0..<d { z[j] += w * uh[j] }
                        }
                        var norm: Float = 0
                        for j in 0..<d { norm += z[j] * z[j] }
                        let f = norm / (1 + norm) / (norm + ComiRecDREncoder.squashEpsilon).squareRoot()
                        let v = st.Z.p + (b * K + k) * d
                        for j in 0..<d { v[j] = f * z[j] }
                        if it < 2 && it < T - 1 {
                            for p in 0..<n {
                                let uh = Uhat.p + (b * L + p) * Kd + k * d
                                var dot: Float = 0
                                for j in 0..<d { dot += uh[j] * v[j] }
                                r[k * L + p] += dot
                            }
                        }
                    }
                }
                // A in slot order: the last c renormalised over the valid positions.
                for k in 0..<K {
                    var s: Float = 0
                    for p in 0..<n { s += c[k * L + p] }
                    for j in 0..<L {
                        let o = (b * K + k) * L + j
                        if j < n {
                            let a = c[k * L + PortLayout.position(slot: j, length: n)] / s
                            st.A[o] = a; st.logits[o] = logf(max(a, .leastNormalMagnitude))
                        } else { st.A[o] = 0; st.logits[o] = Masking.logit }
                    }
                    let v = st.Z.p + (b * K + k) * d, u = st.U.p + (b * K + k) * d
                    if let relu {
                        for i in 0..<d {
                            var acc: Float = 0
                            for j in 0..<d { acc += relu[i * d + j] * v[j] }
                            u[i] = max(0, acc)
                        }
                    } else { u.update(from: v, count: d) }
                }
            }
        }
        return st
    }

    public func backward(_ batch: HistoryBatch, _ params: ParameterSet, _ state: EncoderState,
                         dU: FloatBuffer, dZ: FloatBuffer?, dLogits: FloatBuffer?,
                         grads: inout ParameterSet, dXu: FloatBuffer) {
        preconditionFailure("the PyTorch port's encoders are forward-only; Limits.check refuses training them")
    }
}
