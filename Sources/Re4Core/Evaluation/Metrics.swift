import Foundation

/// NDCG conventions (docs/protocol.md); every report names the one it uses.
public enum NDCGConvention: String, CaseIterable, Sendable, Codable {
    /// DCG over hit ranks r (0-based) of 1/log2(r+2); IDCG over min(|set(gt)|, N) ranks.
    case standard
    /// Same DCG; IDCG over the number of hits (ComiRec's evaluation code).
    case comirec
    /// DCG over positions p in the ground-truth list of gt items found in the top N;
    /// IDCG over the number of hits (the Re4 authors' script).
    case re4
}

/// Ranking metrics of one user's top-N list against its ground truth.
public enum RankingMetrics {
    public static let cutoffs = [20, 50]

    @inline(__always) static func gain(_ r: Int) -> Double { 1 / log2(Double(r) + 2) }

    /// Recall@N = |topN ∩ set(gt)| / |gt| (|gt| counts the list, duplicates included).
    public static func recall(_ top: ArraySlice<Int32>, _ gt: [Int32]) -> Double {
        guard !gt.isEmpty else { return 0 }
        let s = Set(gt)
        return Double(top.filter { s.contains($0) }.count) / Double(gt.count)
    }

    /// HitRate@N = 1 if the top N holds any ground-truth item.
    public static func hitRate(_ top: ArraySlice<Int32>, _ gt: [Int32]) -> Double {
        let s = Set(gt)
        return top.contains { s.contains($0) } ? 1 : 0
    }

    public static func ndcg(_ top: ArraySlice<Int32>, _ gt: [Int32], _ convention: NDCGConvention) -> Double {
        let s = Set(gt)
        var hits = 0, dcg = 0.0
        for (r, id) in top.enumerated() where s.contains(id) { hits += 1; dcg += gain(r) }
        if hits == 0 { return 0 }
        switch convention {
        case .standard:
            let idcg = (0..<min(s.count, top.count)).reduce(0.0) { $0 + gain($1) }
            return dcg / idcg
        case .comirec:
            return dcg / (0..<hits).reduce(0.0) { $0 + gain($1) }
        case .re4:
            let topSet = Set(top)
            var d = 0.0
            for (p, id) in gt.enumerated() where topSet.contains(id) { d += gain(p) }
            return d / (0..<hits).reduce(0.0) { $0 + gain($1) }
        }
    }

    /// Metric name as the logs spell it: `recall@50`, `hitrate@20`, `ndcg@50`
    /// (standard), `ndcg_comirec@50`, `ndcg_re4@50`.
    public static func names(cutoffs: [Int] = RankingMetrics.cutoffs) -> [String] {
        var out: [String] = []
        for n in cutoffs {
            out += ["recall@\(n)", "ndcg@\(n)", "hitrate@\(n)", "ndcg_comirec@\(n)", "ndcg_re4@\(n)"]
        }
        return out
    }

    /// One user's metrics at each cut-off, in the order of `names(cutoffs:)`.
    public static func perUser(top: [Int32], truth gt: [Int32], cutoffs: [Int] = RankingMetrics.cutoffs) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(5 * cutoffs.count)
        for n in cutoffs {
            let t = top.prefix(n)
            out += [recall(t, gt), ndcg(t, gt, .standard), hitRate(t, gt), ndcg(t, gt, .comirec), ndcg(t, gt, .re4)]
        }
        return out
    }

    /// Averages over users (a user without a hit counts as 0), summed in user order.
    /// - Parameter tops: each user's top list (at least max(cutoffs) long where possible).
    public static func evaluate(tops: [[Int32]], truths: [[Int32]]) -> [String: Double] {
        mean(perUser: zip(tops, truths).map { perUser(top: $0, truth: $1) })
    }

    /// Means of per-user rows (`names()` order), summed in user order.
    public static func mean(perUser rows: [[Double]]) -> [String: Double] {
        let names = names()
        var sums = [Double](repeating: 0, count: names.count)
        for r in rows { for (j, v) in r.enumerated() { sums[j] += v } }
        let c = Double(max(rows.count, 1))
        return Dictionary(uniqueKeysWithValues: zip(names, sums.map { $0 / c }))
    }
}
