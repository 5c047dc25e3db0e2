import Foundation

/// The interest-collapse statistics `re4 train --log-distinctness` writes to the
/// log after each epoch, on a fixed seeded sample of validation users (the same
/// users every epoch, so epochs compare like with like). Definitions match
/// `re4-viz distinct` (docs/figures.md, "Distinctness statistics"); each is the
/// mean over the sampled users that define it:
///
/// - `dist_cos_U`: mean pairwise cosine between a user's K interests;
/// - `dist_cos_U_slot`: cosine between interest k of a user and interest k of the
///   next sampled user, mean over k (high = slots shared across users);
/// - `dist_attention_entropy`: attention entropy per interest / log(length);
/// - `dist_attention_top_share`: an interest's largest attention weight;
/// - `dist_dead_interest_share`: share of interests that win none of the user's
///   held-out items (the interest scoring an item highest wins it);
/// - `dist_routing_penalty`: REMI's routing regularisation per user,
///   Σ_k (Σ_l (A_kl − μ_k)² / d)² (`RoutingRegularizer`).
public enum EpochDistinctness {
    /// Users sampled (all validation users when there are fewer).
    public static let sampleSize = 1000

    public static let keys = ["dist_cos_U", "dist_cos_U_slot", "dist_attention_entropy", "dist_attention_top_share",
                              "dist_dead_interest_share", "dist_routing_penalty"]

    /// The sample: up to `sampleSize` validation users, drawn once from the seed, in id order.
    public static func sample(_ dataset: Dataset, seed: UInt64) -> [Int] {
        var users = dataset.users(in: .valid)
        guard users.count > sampleSize else { return users }
        var rng = SeededRandom(seed: seed, stream: "log-distinctness")
        for i in 0..<sampleSize { users.swapAt(i, i + rng.below(users.count - i)) }
        return Array(users[0..<sampleSize]).sorted()
    }

    /// The statistics of `model` on `users` (NaN for one no user defines).
    public static func measure(model: MultiInterestModel, dataset: Dataset, users: [Int], threads: Int = 1) -> [String: Double] {
        let c = model.config, K = c.interests, d = c.dim, L = c.maxLength
        let r = Evaluator.interests(model: model, dataset: dataset, users: users, keepZA: true, threads: threads)
        let U = r.U.p, A = r.A!.p, E = model.embedding
        var sums = [String: (Double, Int)]()
        func add(_ k: String, _ v: Double) { if v.isFinite { let s = sums[k] ?? (0, 0); sums[k] = (s.0 + v, s.1 + 1) } }
        func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>) -> Double {
            var s = 0.0; for j in 0..<d { s += Double(a[j]) * Double(b[j]) }; return s
        }
        func cosine(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>) -> Double {
            let n = (dot(a, a) * dot(b, b)).squareRoot()
            return n > 0 ? dot(a, b) / n : 0
        }
        let n = users.count
        for (i, u) in users.enumerated() {
            let ui = U + i * K * d
            if K > 1 {
                var s = 0.0, np = 0
                for k in 0..<K { for m in (k + 1)..<K { s += cosine(ui + k * d, ui + m * d); np += 1 } }
                add("dist_cos_U", s / Double(np))
            }
            if n > 1 {
                let next = U + ((i + 1) % n) * K * d
                add("dist_cos_U_slot", (0..<K).map { cosine(ui + $0 * d, next + $0 * d) }.reduce(0, +) / Double(K))
            }
            let len = min(L, dataset.history(user: u, cut: dataset.evaluationCut(user: u), length: L).filter { $0 != 0 }.count)
            var ent = 0.0, top = 0.0, pen = 0.0
            for k in 0..<K {
                let a = A + (i * K + k) * L
                var h = 0.0, mx: Float = 0, mu = 0.0
                for l in 0..<L { let v = a[l]; if v > 0 { h -= Double(v) * log(Double(v)) }; mx = max(mx, v); mu += Double(v) }
                mu /= Double(L)
                var vr = 0.0
                for l in 0..<L { let x = Double(a[l]) - mu; vr += x * x }
                vr /= Double(d)
                ent += h; top += Double(mx); pen += vr * vr
            }
            if len > 1 { add("dist_attention_entropy", ent / Double(K) / log(Double(len))) }
            add("dist_attention_top_share", top / Double(K))
            add("dist_routing_penalty", pen)
            let gt = dataset.groundTruth(user: u)
            if !gt.isEmpty {
                var wins = [Int](repeating: 0, count: K)
                for it in gt {
                    let e = E + Int(it) * d
                    var best = 0, bs = -Double.infinity
                    for k in 0..<K { let s = dot(ui + k * d, e); if s > bs { bs = s; best = k } }
                    wins[best] += 1
                }
                add("dist_dead_interest_share", Double(wins.filter { $0 == 0 }.count) / Double(K))
            }
        }
        var out: [String: Double] = [:]
        for k in keys { out[k] = sums[k].map { $0.0 / Double($0.1) } ?? .nan }
        return out
    }
}
