import Foundation

/// The recommendation loss (docs/model.md §3.1): sampled softmax with hard interest
/// selection. For each example the interest that matches the target best,
/// k* = argmax_k U_k·e_t (no gradient through the argmax), is scored against the
/// target and a shared set of negatives:
///
///     ℓ = −log( exp(u·e_t) / (exp(u·e_t) + Σ_neg exp(u·e_c)) ),   mean over the batch,
///
/// computed with a max-shifted log-sum-exp.
public struct SampledSoftmax: Sendable {
    public enum Mode: Sendable, Equatable {
        /// `count` ids drawn uniformly without replacement from all items except
        /// the batch's targets (docs/model.md default: 5000, or all of them if fewer).
        case uniform(count: Int)
        /// Softmax over the whole catalogue.
        case full
        /// ComiRec's log-uniform (Zipfian) sampler, P(id) ∝ log((id+1)/id), with
        /// log-Q correction: each logit minus log(count·P(id)). Item ids must be
        /// numbered by descending popularity (`--item-order popularity`).
        case logUniform(count: Int)
    }

    /// How negatives are drawn, as `--sampler` names it.
    public enum Sampler: String, Sendable, CaseIterable {
        case uniform
        case logUniform = "log-uniform"
    }

    /// The mode for `--negatives` (a count or `full`) and `--sampler`.
    public static func mode(negatives: String, sampler: Sampler) throws -> Mode {
        if negatives == "full" { return .full }
        guard let n = Int(negatives), n >= 1 else {
            throw TrainingError.badOption("--negatives must be a positive number or 'full', got '\(negatives)'")
        }
        return sampler == .uniform ? .uniform(count: n) : .logUniform(count: n)
    }

    /// The authors' default number of negatives per batch.
    public static let defaultNegatives = 5000

    public var mode: Mode = .uniform(count: SampledSoftmax.defaultNegatives)
    /// REMI's interest-aware hard negatives (`--rbeta`, Xie et al., RecSys 2023;
    /// `sampled_softmax_loss` with `beta` in Tokkiu/REMI): each negative's term is
    /// reweighted by w_c = S·softmax(β·x)_c over the S negatives, so negatives the
    /// selected interest already scores high count more. 0 = the plain loss.
    /// Gradient flows through the weights too, as in REMI's code. Uniform sampler only.
    public var beta: Float = 0
    public init(mode: Mode = .uniform(count: SampledSoftmax.defaultNegatives), beta: Float = 0) { self.mode = mode; self.beta = beta }

    /// Draws the candidate set for one batch. Returns the candidate ids and, for
    /// `.full`, whether targets are among them (they are).
    public func candidates(targets: [Int32], items n: Int, rng: inout SeededRandom) -> [Int32] {
        switch mode {
        case .full:
            return (1...n).map { Int32($0) }
        case .uniform(let count):
            var isTarget = [Bool](repeating: false, count: n + 1)
            var distinct = 0
            for t in targets where !isTarget[Int(t)] { isTarget[Int(t)] = true; distinct += 1 }
            let available = n - distinct
            let S = min(count, available)
            if S <= 0 { return [] }
            if S == available { return (1...n).filter { !isTarget[$0] }.map { Int32($0) } }
            if 2 * S > available {
                var pool = (1...n).filter { !isTarget[$0] }.map { Int32($0) }
                for i in 0..<S { pool.swapAt(i, i + rng.below(pool.count - i)) }
                return Array(pool[0..<S])
            }
            var taken = isTarget
            var out: [Int32] = []
            out.reserveCapacity(S)
            while out.count < S {
                let c = 1 + rng.below(n)
                if !taken[c] { taken[c] = true; out.append(Int32(c)) }
            }
            return out
        case .logUniform(let count):
            var taken = [Bool](repeating: false, count: n + 1)
            let S = min(count, n)
            var out: [Int32] = []
            let logN = log(Double(n) + 1)
            while out.count < S {
                // Inverse CDF of P(id) = log((id+1)/id)/log(n+1): id = ⌊exp(u·log(n+1))⌋.
                let id = min(n, max(1, Int(exp(rng.unitDouble() * logN))))
                if !taken[id] { taken[id] = true; out.append(Int32(id)) }
            }
            return out
        }
    }

    /// Log of the expected count of `id` among `count` log-uniform draws (log-Q correction).
    static func logQ(_ id: Int32, items n: Int, count: Int) -> Float {
        let p = log((Double(id) + 1) / Double(id)) / log(Double(n) + 1)
        return Float(log(Double(count) * p))
    }

    /// One example's row under REMI's reweighting (`beta`). With x the negatives'
    /// logits, t the target's, a_c = e^{(1+β)(x_c−m)}, r_c = e^{β(x_c−m)}:
    ///
    ///     N_g = S·Σa/Σr · e^m,   ℓ = log(e^t + N_g) − t,
    ///     ∂ℓ/∂x_c = S/(D·Σr) · ((1+β)a_c − β r_c Σa/Σr),   D = e^{t−m} + S·Σa/Σr,
    ///
    /// written as in the plain path: `row` takes the coefficients times D and
    /// `rowScale` = inv/D.
    private func hardNegativeRow(_ row: UnsafeMutablePointer<Float>, S: Int, target p: Float, inv: Float,
                                 loss: inout Double, rowScale: inout Float, dPos: inout Float) {
        let m = FastMath.maximum(row, S, start: p)
        let b1 = 1 + beta
        var sa = 0.0, sr = 0.0
        for i in 0..<S {
            let x = row[i] - m
            sa += Double(FastMath.exp(b1 * x)); sr += Double(FastMath.exp(beta * x))
        }
        let ratio = sa / sr
        let ep = Double(expf(p - m))
        let D = ep + Double(S) * ratio
        loss = log(D) + Double(m) - Double(p)
        let f = Double(S) / sr
        for i in 0..<S {
            let x = row[i] - m
            row[i] = Float(f * (Double(b1) * Double(FastMath.exp(b1 * x)) - Double(beta) * Double(FastMath.exp(beta * x)) * ratio))
        }
        rowScale = inv / Float(D)
        dPos = (Float(ep / D) - 1) * inv
    }

    /// Loss and gradients for one batch.
    /// - Parameters:
    ///   - U: interests (B, K, d); - targets: B item ids; - E: the (n+1)×d embedding.
    ///   - dU: receives ∂L/∂U (zero except at each example's k*), scaled by `scale`.
    ///   - dE: ∂L/∂E is added to its rows (targets and candidates), scaled by `scale`.
    /// - Returns: the mean loss and each example's selected interest.
    public func lossAndGradient(U: UnsafePointer<Float>, B: Int, K: Int, d: Int, targets: [Int32],
                                E: UnsafePointer<Float>, candidates cand: [Int32], items n: Int, scale: Float = 1,
                                dU: UnsafeMutablePointer<Float>, dE: UnsafeMutablePointer<Float>?) -> (loss: Double, kStar: [Int]) {
        let S = cand.count
        // Hard interest selection.
        var kStar = [Int](repeating: 0, count: B)
        let Ub = FloatBuffer(B * d), pos = FloatBuffer(B)
        for b in 0..<B {
            let e = E + Int(targets[b]) * d
            var best = -Float.infinity, bk = 0
            for k in 0..<K {
                let u = U + (b * K + k) * d
                var s: Float = 0
                for j in 0..<d { s += u[j] * e[j] }
                if s > best { best = s; bk = k }
            }
            kStar[b] = bk; pos[b] = best
            (Ub.p + b * d).update(from: U + (b * K + bk) * d, count: d)
        }
        let En = FloatBuffer(uninitialized: S * d)
        var maxNorm2: Float = 0
        for (i, c) in cand.enumerated() {
            let row = En.p + i * d
            row.update(from: E + Int(c) * d, count: d)
            var n2: Float = 0
            for j in 0..<d { n2 += row[j] * row[j] }
            maxNorm2 = max(maxNorm2, n2)
        }
        let logits = FloatBuffer(uninitialized: B * S)
        sgemm(false, true, m: B, n: S, k: d, Ub.p, lda: d, En.p, ldb: d, logits.p, ldc: S)
        var correction: [Float]? = nil
        var posCorrection = [Float](repeating: 0, count: B)
        if case .logUniform(let count) = mode {
            correction = cand.map { SampledSoftmax.logQ($0, items: n, count: count) }
            for b in 0..<B { posCorrection[b] = SampledSoftmax.logQ(targets[b], items: n, count: count) }
        }
        let full = mode == .full
        var uniform = false
        if case .uniform = mode { uniform = true }
        // Per-example log-sum-exp. The logits become e^{x−m} in place; the
        // gradient coefficients are those times rowScale[b] = scale/(B·Σ), a
        // factor folded into the small B × d matrices on either side of the two
        // gradient products instead of a third pass over the B × S block.
        let lossParts = DoubleBuffer(B)
        let dPos = FloatBuffer(B), rowScale = FloatBuffer(B)
        let inv = scale / Float(B)
        parallelChunks(B, minChunk: 32) { range in
            for b in range {
                let row = logits.p + b * S
                if let correction { for i in 0..<S { row[i] -= correction[i] } }
                let p = pos[b] - posCorrection[b]
                if beta != 0 && !full && S > 0 {
                    hardNegativeRow(row, S: S, target: p, inv: inv, loss: &lossParts[b], rowScale: &rowScale[b], dPos: &dPos[b])
                    continue
                }
                // The shift: the row's max, which costs a pass over the row, unless
                // Cauchy–Schwarz (every logit ≤ |u|·max|e_c|) shows that shifting by
                // the target's own logit keeps every exponent ≤ 60, far from overflow.
                var uNorm2: Float = 0
                for j in 0..<d { uNorm2 += Ub.p[b * d + j] * Ub.p[b * d + j] }
                let bound = (uNorm2 * maxNorm2).squareRoot()
                let m = uniform && bound - p <= 60 ? p : FastMath.maximum(row, S, start: full ? -Float.infinity : p)
                let ep: Float = full ? 0 : expf(p - m)
                let s: Float = ep + FastMath.expShifted(row, S, shift: m)
                let lse = logf(s) + m
                lossParts[b] = Double(lse - p)
                rowScale[b] = inv / s
                if full {
                    // The target is one of the candidates (ids 1...n at column id-1):
                    // its coefficient is (e/Σ − 1)·inv, i.e. (e − Σ)·rowScale.
                    row[Int(targets[b]) - 1] -= s
                    dPos[b] = 0
                } else {
                    dPos[b] = (ep / s - 1) * inv
                }
            }
        }
        // With G = diag(rowScale)·logits: dUb = dPos·e_t + G·En ; dEn = Gᵀ·Ub ; dE[t] += dPos·u.
        let dUb = FloatBuffer(uninitialized: B * d)
        sgemm(false, false, m: B, n: d, k: S, logits.p, lda: S, En.p, ldb: d, dUb.p, ldc: d)
        for b in 0..<B {
            let e = E + Int(targets[b]) * d, g = dUb.p + b * d, f = rowScale[b]
            for j in 0..<d { g[j] = g[j] * f + dPos[b] * e[j] }
            let dst = dU + (b * K + kStar[b]) * d
            for j in 0..<d { dst[j] += g[j] }
        }
        if let dE {
            let dEn = FloatBuffer(uninitialized: S * d), Us = FloatBuffer(uninitialized: B * d)
            for b in 0..<B {
                let f = rowScale[b], u = Ub.p + b * d, o = Us.p + b * d
                for j in 0..<d { o[j] = u[j] * f }
            }
            sgemm(true, false, m: S, n: d, k: B, logits.p, lda: S, Us.p, ldb: d, dEn.p, ldc: d)
            for (i, c) in cand.enumerated() {
                let dst = dE + Int(c) * d, src = dEn.p + i * d
                for j in 0..<d { dst[j] += src[j] }
            }
            for b in 0..<B {
                let dst = dE + Int(targets[b]) * d, u = Ub.p + b * d
                for j in 0..<d { dst[j] += dPos[b] * u[j] }
            }
        }
        return (lossParts.sum / Double(B), kStar)
    }
}
