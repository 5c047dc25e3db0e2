import Foundation
import XCTest
import TestSupport
@testable import Re4Core

/// REMI's two terms (Xie et al., RecSys 2023): the routing regularisation and
/// the interest-aware hard negatives, by hand and against finite differences.
final class REMITests: XCTestCase {
    func testRoutingPenaltyByHand() {
        // One row, L = 4, d = 2: A = [0.5, 0.5, 0, 0] → μ = 0.25, Σ(A−μ)² = 4·0.0625 = 0.25,
        // v = 0.125, ℓ = v² = 0.015625. A uniform row over all L has v = 0 and ℓ = 0.
        let A: [Float] = [0.5, 0.5, 0, 0, 0.25, 0.25, 0.25, 0.25]
        let l = RoutingRegularizer.loss(A: A, B: 1, K: 2, L: 4, d: 2, scale: 1, dLogits: nil)
        XCTAssertEqual(l, 0.015625, accuracy: 1e-9)
    }

    func testRoutingPenaltyGradientThroughSoftmax() {
        var rng = SeededRandom(seed: 4)
        let B = 3, K = 2, L = 5, d = 3
        let logits = FloatBuffer((0..<(B * K * L)).map { i in i % L == 4 && i / (K * L) == 1 ? Masking.logit : Float(rng.normal() * 2) })
        func value() -> Double {
            let A = FloatBuffer(B * K * L)
            softmaxRows(logits.p, A.p, rows: B * K, L: L)
            return 0.7 * RoutingRegularizer.loss(A: A.p, B: B, K: K, L: L, d: d, scale: 0.7, dLogits: nil)
        }
        let A = FloatBuffer(B * K * L), dLogits = FloatBuffer(B * K * L)
        softmaxRows(logits.p, A.p, rows: B * K, L: L)
        _ = RoutingRegularizer.loss(A: A.p, B: B, K: K, L: L, d: d, scale: 0.7, dLogits: dLogits.p)
        XCTAssertEqual(dLogits[(1 * K + 0) * L + 4], 0, "a padding position gets no gradient")
        checkGradient("rr dlogits", logits.p, count: B * K * L, analytic: dLogits.array, eps: 1e-3, tolerance: 1e-2, maxCoordinates: 30) { value() }
    }

    func testHardNegativesValueByHand() {
        // d = 1, one interest u = 1, target e = 2 (logit t = 2), negatives x = [1, −1].
        // β = 1: w = 2·softmax(βx) ; N_g = Σ w_c e^{x_c}; ℓ = log(e^t + N_g) − t.
        var E: [Float] = [0, 2, 1, -1]
        let U: [Float] = [1]
        let beta = 1.0
        let x = [1.0, -1.0]
        let zs = x.map { exp(beta * $0) }.reduce(0, +)
        let ng = x.map { 2 * exp(beta * $0) / zs * exp($0) }.reduce(0, +)
        let expected = log(exp(2) + ng) - 2
        let dU = FloatBuffer(1)
        let r = E.withUnsafeMutableBufferPointer { e in
            SampledSoftmax(mode: .uniform(count: 2), beta: 1).lossAndGradient(U: U, B: 1, K: 1, d: 1, targets: [1], E: e.baseAddress!,
                                                                           candidates: [2, 3], items: 3, dU: dU.p, dE: nil)
        }
        XCTAssertEqual(r.loss, expected, accuracy: 1e-5)
        // β = 0 is the plain sampled softmax.
        let plain = E.withUnsafeMutableBufferPointer { e in
            SampledSoftmax(mode: .uniform(count: 2)).lossAndGradient(U: U, B: 1, K: 1, d: 1, targets: [1], E: e.baseAddress!,
                                                                  candidates: [2, 3], items: 3, dU: dU.p, dE: nil).loss
        }
        XCTAssertEqual(plain, log(exp(2) + exp(1) + exp(-1)) - 2, accuracy: 1e-5)
        XCTAssertGreaterThan(r.loss, plain, "weighting toward the higher-scored negative raises the loss")
    }

    func testHardNegativesGradients() {
        for beta: Float in [0.1, 1, 10] {
            let t = TinyProblem()
            let K = 3, d = 6, B = 4, n = t.config.items
            var rng = SeededRandom(seed: 3)
            let U = FloatBuffer((0..<(B * K * d)).map { _ in Float(rng.normal() * 0.7) })
            let loss = SampledSoftmax(mode: .uniform(count: 6), beta: beta)
            let cand = loss.candidates(targets: t.targets, items: n, rng: &rng)
            let E = t.model.embedding
            func f() -> Double {
                let dU = FloatBuffer(B * K * d)
                return loss.lossAndGradient(U: U.p, B: B, K: K, d: d, targets: t.targets, E: E, candidates: cand, items: n, dU: dU.p, dE: nil).loss
            }
            let dU = FloatBuffer(B * K * d), dE = FloatBuffer((n + 1) * d)
            _ = loss.lossAndGradient(U: U.p, B: B, K: K, d: d, targets: t.targets, E: E, candidates: cand, items: n, dU: dU.p, dE: dE.p)
            checkGradient("ihn[β=\(beta)] dU", U.p, count: B * K * d, analytic: dU.array, eps: 1e-3, f)
            checkGradient("ihn[β=\(beta)] dE", E + d, count: n * d, analytic: Array(dE.array[d...]), eps: 1e-3, f)
        }
    }

    /// The whole objective with both REMI terms (and Re4's flows) on every parameter.
    func check(_ kind: EncoderKind, lambdas: (Float, Float, Float)) {
        var t = TinyProblem(encoder: kind, lambdas: lambdas)
        t.config.rlambda = 50; t.config.rbeta = 1
        t.model.config = t.config
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
        XCTAssertGreaterThan(l.rr, 0)
        var plain = t.model
        plain.config.rlambda = nil; plain.config.rbeta = nil
        var g0 = plain.params.zeros()
        let l0 = plain.lossAndGradients(t.batch(), candidates: cand, softmax: softmax, grads: &g0)
        XCTAssertNotEqual(l.rec, l0.rec, "rbeta changes the recommendation loss")
        XCTAssertEqual(l.total, l0.total - l0.rec + l.rec + 50 * l.rr, accuracy: 1e-4)
        for (i, name) in t.model.params.names.enumerated() {
            let isE = name == MultiInterestModel.embeddingName
            let offset = isE ? t.config.dim : 0
            let buf = t.model.params.buffers[i]
            checkGradient("\(kind.rawValue)+REMI total d\(name)", buf.p + offset, count: buf.count - offset,
                          analytic: Array(grads.buffers[i].array[offset...]), eps: 5e-3, tolerance: 2e-2, f)
        }
    }

    func testRe4EncoderWithREMI() { check(.re4, lambdas: (0.5, 0.7, 0.9)) }
    func testComiRecSAWithREMI() { check(.comirecSA, lambdas: (0, 0, 0)) }
    func testComiRecDRWithREMI() { check(.comirecDR, lambdas: (0.5, 0.7, 0.9)) }

    func testREMIOptionsAreRecordedAndChecked() throws {
        var c = ModelConfig()
        XCTAssertNil(c.metadata["rlambda"], "off: not written, so other checkpoints keep their bytes")
        c.rlambda = 100; c.rbeta = 10
        XCTAssertEqual(c.metadata["rlambda"], "100.0")
        let json = try JSONEncoder().encode(c)
        XCTAssertEqual(try JSONDecoder().decode(ModelConfig.self, from: json).rbeta, 10)
        var o = TrainingOptions(); o.negatives = .full
        assertThrowsMessage(["--rbeta", "uniform sampler"]) { try Limits.check(c, o, items: 100, negativesGiven: true) }
        c.rlambda = -1
        assertThrowsMessage(["--rlambda -1"]) { try Limits.check(c) }
    }
}

/// REMI's terms against a PyTorch restatement of Tokkiu/REMI's code
/// (Tests/Reference/remi_check.py), in double precision on the torch side.
/// Runs where `.venv-bench` has torch; skipped elsewhere.
final class REMITorchCrossCheckTests: XCTestCase {
    func testREMITermsMatchPyTorch() throws {
        let root = URL(fileURLWithPath: repositoryRoot)
        let python = root.appendingPathComponent(".venv-bench/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else { throw XCTSkip("no .venv-bench (bench/setup-venv.sh)") }
        guard (try? runExecutable(python, ["-c", "import torch, safetensors"]))?.status == 0 else {
            throw XCTSkip("torch is not installed in .venv-bench (bench/setup-venv.sh installs it)")
        }
        let t = TinyProblem()
        let B = 4, K = 3, d = 6, L = 5, n = t.config.items
        var rng = SeededRandom(seed: 21)
        let U = FloatBuffer((0..<(B * K * d)).map { _ in Float(rng.normal() * 0.8) })
        let batch = t.batch()
        let logits = FloatBuffer(B * K * L)
        var mask = [Float](repeating: 0, count: B * L)
        for b in 0..<B { for l in 0..<L { mask[b * L + l] = batch.idx[b * L + l] < 0 ? 0 : 1 } }
        for b in 0..<B { for k in 0..<K { for l in 0..<L {
            logits[(b * K + k) * L + l] = mask[b * L + l] == 0 ? Masking.logit : Float(rng.normal() * 1.5)
        } } }
        let beta: Float = 2, rlambda: Float = 30
        let softmax = SampledSoftmax(mode: .uniform(count: 7), beta: beta)
        let cand = softmax.candidates(targets: t.targets, items: n, rng: &rng)
        let E = t.model.embedding
        let dU = FloatBuffer(B * K * d), dE = FloatBuffer((n + 1) * d)
        let rec = softmax.lossAndGradient(U: U.p, B: B, K: K, d: d, targets: t.targets, E: E, candidates: cand, items: n, dU: dU.p, dE: dE.p).loss
        let A = FloatBuffer(B * K * L), dLogits = FloatBuffer(B * K * L)
        softmaxRows(logits.p, A.p, rows: B * K, L: L)
        let rr = RoutingRegularizer.loss(A: A.p, B: B, K: K, L: L, d: d, scale: rlambda, dLogits: dLogits.p)
        let dir = makeTempDir()
        let input: [String: Tensor] = [
            "U": Tensor(shape: [B, K, d], values: U.array), "E": Tensor(shape: [n + 1, d], values: Array(UnsafeBufferPointer(start: E, count: (n + 1) * d))),
            "logits": Tensor(shape: [B, K, L], values: logits.array.map { $0 == Masking.logit ? 0 : $0 }),
            "mask": Tensor(shape: [B, L], values: mask),
            "targets": Tensor(shape: [B], values: t.targets.map(Float.init)), "negatives": Tensor(shape: [cand.count], values: cand.map(Float.init)),
            "beta": Tensor(shape: [1], values: [beta]), "rlambda": Tensor(shape: [1], values: [rlambda]),
        ]
        try SafeTensors(tensors: input).write(path: dir + "/in.safetensors")
        let r = try runExecutable(python, [root.appendingPathComponent("Tests/Reference/remi_check.py").path, dir + "/in.safetensors", dir + "/out.safetensors"])
        XCTAssertEqual(r.status, 0, r.err)
        let ref = try SafeTensors.read(path: dir + "/out.safetensors").tensors
        for (name, ours) in [("loss_rec", rec), ("loss_rr", rr)] {
            let theirs = Double(ref[name]!.values[0])
            print("REMI torch check \(name): ours \(ours), torch \(theirs)")
            XCTAssertEqual(ours, theirs, accuracy: 1e-5 * max(1, abs(theirs)), name)
        }
        for (name, a) in [("dU", dU.array), ("dE", dE.array), ("dlogits", dLogits.array)] {
            let b = ref[name]!.values
            var diff = 0.0, norm = 0.0
            for j in a.indices { diff += Double(a[j] - b[j]) * Double(a[j] - b[j]); norm += Double(b[j]) * Double(b[j]) }
            let rel = (diff / norm).squareRoot()
            print("REMI torch check \(name): relative difference \(String(format: "%.2e", rel))")
            XCTAssertLessThan(rel, 1e-4, name)
        }
    }
}
