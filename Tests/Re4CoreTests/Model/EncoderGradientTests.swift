import Foundation
import XCTest
import TestSupport
@testable import Re4Core

final class EncoderGradientTests: XCTestCase {
    /// f = Σ GU⊙U + Σ GZ⊙Z + Σ GL⊙logits (valid positions): its gradient is what
    /// `backward(dU: GU, dZ: GZ, dLogits: GL)` must return.
    func check(_ kind: EncoderKind) {
        let t = TinyProblem(encoder: kind)
        let K = t.config.interests, d = t.config.dim, L = t.config.maxLength, B = t.B
        var rng = SeededRandom(seed: 42)
        let GU = FloatBuffer((0..<(B * K * d)).map { _ in Float(rng.normal()) })
        let GZ = FloatBuffer((0..<(B * K * d)).map { _ in Float(rng.normal()) })
        let batch0 = t.batch()
        let GL = FloatBuffer((0..<(B * K * L)).map { i in batch0.idx[(i / (K * L)) * L + i % L] < 0 ? 0 : Float(rng.normal()) })
        var enc = t.model.encoder
        if var dr = enc as? ComiRecDREncoder {
            // Freeze the routing weights at their current values (they carry no gradient).
            dr.fixedRouting = dr.forward(t.batch(), t.model.params).saved["c"]
            enc = dr
        }
        func f() -> Double {
            let b = t.batch()
            let st = enc.forward(b, t.model.params)
            var s = 0.0
            for i in 0..<(B * K * d) { s += Double(GU[i] * st.U[i] + GZ[i] * st.Z[i]) }
            if enc.attentionHasGradient { for i in 0..<(B * K * L) where GL[i] != 0 { s += Double(GL[i] * st.logits[i]) } }
            return s
        }
        let batch = t.batch()
        let st = enc.forward(batch, t.model.params)
        for i in 0..<(B * K) { var s: Float = 0; for l in 0..<L { s += st.A[i * L + l] }; XCTAssertEqual(s, 1, accuracy: 1e-5) }
        var grads = t.model.params.zeros()
        let dXu = FloatBuffer(batch.nu * d)
        enc.backward(batch, t.model.params, st, dU: GU, dZ: GZ, dLogits: enc.attentionHasGradient ? GL : nil, grads: &grads, dXu: dXu)
        for (i, name) in t.model.params.names.enumerated() where name != MultiInterestModel.embeddingName && !ReConstruct.parameterNames.contains(name) {
            checkGradient("\(kind.rawValue) d\(name)", t.model.params.buffers[i].p, count: t.model.params.buffers[i].count,
                          analytic: grads.buffers[i].array, eps: 1e-2, f)
        }
        // Embedding rows of the batch's distinct items.
        var dE = [Float](repeating: 0, count: (t.config.items + 1) * d)
        for (u, it) in batch.unique.enumerated() { for j in 0..<d { dE[Int(it) * d + j] += dXu[u * d + j] } }
        checkGradient("\(kind.rawValue) dE", t.model.embedding + d, count: t.config.items * d, analytic: Array(dE[d...]), f)
    }

    func testRe4EncoderGradients() { check(.re4) }
    func testComiRecSAEncoderGradients() { check(.comirecSA) }
    func testComiRecDREncoderGradients() { check(.comirecDR) }

    func testPaddingGetsNoAttentionAndRowZeroStaysZero() {
        for kind in EncoderKind.allCases {
            let t = TinyProblem(encoder: kind)
            let st = t.model.encode(t.batch())
            let K = t.config.interests, L = t.config.maxLength
            // Example 2 has one item: all attention on position 0.
            for k in 0..<K {
                XCTAssertEqual(st.A[(2 * K + k) * L], 1, accuracy: 1e-6, "\(kind)")
                for l in 1..<L { XCTAssertEqual(st.A[(2 * K + k) * L + l], 0, "\(kind)") }
            }
        }
    }
}

final class ModelGradientTests: XCTestCase {
    /// The whole objective (rec + λ·att + λ·ct + λ·cs) against finite differences
    /// on every parameter tensor, for each encoder.
    func check(_ kind: EncoderKind, lambdas: (Float, Float, Float)) {
        var t = TinyProblem(encoder: kind, lambdas: lambdas)
        if var dr = t.model.encoder as? ComiRecDREncoder {
            dr.fixedRouting = dr.forward(t.batch(), t.model.params).saved["c"]
            t.model.encoder = dr
        }
        let softmax = SampledSoftmax(mode: .uniform(count: 6))
        var rng = SeededRandom(seed: 3)
        let cand = softmax.candidates(targets: t.targets, items: t.config.items, rng: &rng)
        func f() -> Double {
            var g = t.model.params.zeros()
            return t.model.lossAndGradients(t.batch(), candidates: cand, softmax: softmax, grads: &g).total
        }
        var grads = t.model.params.zeros()
        let l = t.model.lossAndGradients(t.batch(), candidates: cand, softmax: softmax, grads: &grads)
        XCTAssertNil(l.nonFiniteComponent)
        if lambdas.1 != 0 { XCTAssertGreaterThan(l.ct, 0) }
        for (i, name) in t.model.params.names.enumerated() {
            let isE = name == MultiInterestModel.embeddingName
            let offset = isE ? t.config.dim : 0  // skip the padding row
            let buf = t.model.params.buffers[i]
            checkGradient("\(kind.rawValue) total d\(name)", buf.p + offset, count: buf.count - offset,
                          analytic: Array(grads.buffers[i].array[offset...]), eps: 5e-3, tolerance: 2e-2, f)
            if isE { XCTAssertTrue(grads.buffers[i].array[0..<t.config.dim].allSatisfy { $0 == 0 }, "padding row gets no gradient") }
        }
    }

    func testRe4TotalGradient() { check(.re4, lambdas: (0.5, 0.7, 0.9)) }
    func testComiRecSATotalGradient() { check(.comirecSA, lambdas: (0.5, 0.7, 0.9)) }
    func testComiRecDRTotalGradient() { check(.comirecDR, lambdas: (0.5, 0.7, 0.9)) }
    func testBaseTotalGradient() { check(.re4, lambdas: (0, 0, 0)) }
}
