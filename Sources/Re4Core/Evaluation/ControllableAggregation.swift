import Foundation

/// ComiRec's controllable aggregation (Cen et al. 2020, §3.4): each interest's
/// top-N items are merged (an item keeps its best score) and N items are chosen
/// greedily, each time the one maximising
///     score(x) − λ · |{ y already chosen : category(y) = category(x) }|,
/// so λ = 0 is plain max-score ranking and larger λ trades accuracy for
/// category diversity. An item's category is its first one; items without a
/// category share one "unknown" category.
public enum ControllableAggregation {
    /// Category diversity of a list: the share of pairs whose categories differ.
    public static func diversity(_ list: [Int32], categories: [[String]]) -> Double {
        let n = list.count
        guard n >= 2 else { return 0 }
        var differing = 0
        for i in 0..<n { for j in (i + 1)..<n where category(list[i], categories) != category(list[j], categories) { differing += 1 } }
        return Double(differing) / Double(n * (n - 1) / 2)
    }

    @inline(__always) static func category(_ id: Int32, _ c: [[String]]) -> String { c[Int(id)].first ?? "" }

    /// Greedy re-ranking of one user's candidates (score, id).
    public static func rerank(candidates: [(Float, Int32)], lambda: Double, N: Int, categories: [[String]]) -> [Int32] {
        var best: [Int32: Float] = [:]
        for (s, id) in candidates { best[id] = max(best[id] ?? -.infinity, s) }
        var pool = best.map { ($0.value, $0.key) }.sorted { $0.0 > $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        var chosen: [Int32] = []
        var counts: [String: Int] = [:]
        while chosen.count < N && !pool.isEmpty {
            var bi = 0, bv = -Double.infinity
            for (i, c) in pool.enumerated() {
                let v = Double(c.0) - lambda * Double(counts[category(c.1, categories), default: 0])
                if v > bv { bv = v; bi = i }
            }
            let pick = pool.remove(at: bi)
            chosen.append(pick.1)
            counts[category(pick.1, categories), default: 0] += 1
        }
        return chosen
    }

    /// Metrics of the re-ranked top-N lists plus `diversity@N`.
    public static func evaluate(model: MultiInterestModel, dataset: Dataset, users: [Int], lambda: Double, N: Int = 50,
                                threads: Int = 1) -> [String: Double] {
        let K = model.config.interests, d = model.config.dim
        let U = Evaluator.interests(model: model, dataset: dataset, users: users, threads: threads).U
        let E = model.embedding
        var tops: [[Int32]] = []
        var div = 0.0
        for i in users.indices {
            var cands: [(Float, Int32)] = []
            for k in 0..<K {
                let u = U.p + (i * K + k) * d
                let ids = Retrieval.topN(U: u, users: 1, K: 1, d: d, E: E, items: model.config.items, N: N)[0]
                for id in ids { cands.append((Kernels.dot(u, E + Int(id) * d, d), id)) }
            }
            let list = rerank(candidates: cands, lambda: lambda, N: N, categories: dataset.itemCategories)
            div += diversity(list, categories: dataset.itemCategories)
            tops.append(list)
        }
        var m = RankingMetrics.evaluate(tops: tops, truths: users.map { Array(dataset.groundTruth(user: $0)) })
        m["diversity@\(N)"] = users.isEmpty ? 0 : div / Double(users.count)
        return m
    }
}
