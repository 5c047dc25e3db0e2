import Foundation

/// A multi-interest model: an encoder over an item embedding, trained with the
/// recommendation loss plus the weighted backward flows (docs/model.md §3.5).
public struct MultiInterestModel: @unchecked Sendable {
    public static let embeddingName = "embedding_layer.weight"
    public var config: ModelConfig
    public var params: ParameterSet
    public internal(set) var encoder: any InterestEncoder
    /// Interests computed by another model, read from its arrays (`ArrayModel`);
    /// when set, `Evaluator.interests` returns them instead of running the encoder.
    public var precomputed: PrecomputedInterests? = nil

    public init(config: ModelConfig, params: ParameterSet) {
        self.config = config; self.params = params; self.encoder = makeEncoder(config)
    }

    /// Fresh parameters for a seed. The embedding and the encoder draw from one
    /// stream and the Re-construct parameters from another, so Base and Re4 with
    /// the same seed start from the same encoder.
    /// - Parameter embeddingStd: the item embedding's standard deviation (the script's 1 by default).
    public static func initial(config: ModelConfig, seed: UInt64, embeddingStd: Float = 1) -> MultiInterestModel {
        var rng = SeededRandom(seed: seed, stream: "init")
        var p = ParameterSet()
        let n = config.items, d = config.dim
        var e = Init.normal((n + 1) * d, &rng)
        if embeddingStd != 1 { for j in e.indices { e[j] *= embeddingStd } }
        for j in 0..<d { e[j] = 0 }  // row 0 is padding: a constant zero row
        p.add(embeddingName, shape: [n + 1, d], values: e)
        let enc = makeEncoder(config)
        enc.initialize(&p, &rng)
        if config.hasFlowParameters {
            var flowRng = SeededRandom(seed: seed, stream: "init-flows")
            ReConstruct.initialize(&p, d: d, L: config.maxLength, &flowRng)
        }
        return MultiInterestModel(config: config, params: p)
    }

    public var embedding: UnsafeMutablePointer<Float> { params.p(Self.embeddingName) }

    /// Builds the batch form of B histories (B·L ids, 0-padded).
    public func batch(items: [Int32], B: Int, targets: [Int32], scratch: inout [Int32]) -> HistoryBatch {
        HistoryBatch(items: items, B: B, L: config.maxLength, targets: targets, embedding: embedding, d: config.dim, scratch: &scratch)
    }

    /// Forward only: the encoder state (U, Z, A) of a batch.
    public func encode(_ batch: HistoryBatch) -> EncoderState { encoder.forward(batch, params) }

    /// Forward and backward of the full objective on one training batch;
    /// gradients are added into `grads` (same layout as `params`).
    /// - Returns: the loss components and the rows of the embedding that received gradient.
    public func lossAndGradients(_ batch: HistoryBatch, candidates: [Int32], softmax: SampledSoftmax,
                                 grads: inout ParameterSet) -> LossBreakdown {
        let B = batch.B, K = config.interests, d = config.dim, L = config.maxLength
        let st = encoder.forward(batch, params)
        let dU = FloatBuffer(B * K * d), dZ = FloatBuffer(B * K * d)
        let dXpos = FloatBuffer(B * L * d), dXu = FloatBuffer(batch.nu * d)
        let dE = grads.p(Self.embeddingName)
        var out = LossBreakdown()
        var softmax = softmax
        if let b = config.rbeta { softmax.beta = b }
        out.rec = softmax.lossAndGradient(U: st.U.p, B: B, K: K, d: d, targets: batch.targets, E: embedding,
                                          candidates: candidates, items: config.items, dU: dU.p, dE: dE).loss
        var dLogits: FloatBuffer? = nil
        let rlambda = config.rlambda ?? 0
        if (config.lambdaAtt != 0 || rlambda != 0) && encoder.attentionHasGradient { dLogits = FloatBuffer(B * K * L) }
        if rlambda != 0 {
            // Dynamic routing computes its weights without gradient (ComiRec's
            // stop_grad): there the term is measured and logged but moves nothing.
            out.rr = RoutingRegularizer.loss(A: st.A.p, B: B, K: K, L: L, d: d, scale: rlambda, dLogits: dLogits?.p)
        }
        if config.lambdaAtt != 0 {
            out.att = ReAttend.loss(batch, Z: st.Z.p, logits: st.logits.p, K: K, scale: config.lambdaAtt,
                                    dZ: dZ.p, dXpos: dXpos.p, dLogits: dLogits?.p)
        }
        if config.lambdaCt != 0 {
            out.ct = ReContrast.loss(batch, Z: st.Z.p, A: st.A.p, K: K, tau: config.tau, scale: config.lambdaCt,
                                     dZ: dZ.p, dXu: dXu.p)
        }
        if config.lambdaCs != 0 {
            out.cs = ReConstruct.loss(batch, Z: st.Z.p, A: st.A.p, K: K, params: params, scale: config.lambdaCs,
                                      dZ: dZ.p, dXpos: dXpos.p, grads: &grads)
        }
        out.total = out.rec + Double(config.lambdaAtt) * out.att + Double(config.lambdaCt) * out.ct + Double(config.lambdaCs) * out.cs
            + Double(rlambda) * out.rr
        // Per-position item gradients → per distinct item.
        for pos in 0..<(B * L) {
            let u = Int(batch.idx[pos]); if u < 0 { continue }
            let src = dXpos.p + pos * d, dst = dXu.p + u * d
            for j in 0..<d { dst[j] += src[j] }
        }
        encoder.backward(batch, params, st, dU: dU, dZ: dZ, dLogits: dLogits, grads: &grads, dXu: dXu)
        for (u, it) in batch.unique.enumerated() {
            let dst = dE + Int(it) * d, src = dXu.p + u * d
            for j in 0..<d { dst[j] += src[j] }
        }
        return out
    }
}
