import Foundation
import Re4Core

/// A checkpoint's view of some users: their K interests (U and raw Z), the
/// attention over their evaluation history, and the history itself.
public struct UserInterests: Sendable {
    public let users: [Int]
    public let K: Int
    public let d: Int
    public let L: Int
    /// users × K × d.
    public let U: [Float]
    public let Z: [Float]
    /// users × K × L.
    public let A: [Float]
    /// users × L item ids (0 = padding), most recent first.
    public let history: [Int32]
    public let lengths: [Int]
    /// False for a model's arrays given without attention: the statistics and
    /// selections that need A are skipped.
    public let hasAttention: Bool

    public init(model: MultiInterestModel, dataset: Dataset, users: [Int], threads: Int = 1) {
        let c = model.config
        let r = Evaluator.interests(model: model, dataset: dataset, users: users, keepZA: true, threads: threads)
        self.users = users; K = c.interests; d = c.dim; L = c.maxLength
        U = r.U.array; Z = r.Z!.array; A = r.A!.array
        var h = [Int32](), lens = [Int]()
        for u in users {
            let row: [Int32]
            if let pre = model.precomputed, let H = pre.histories, let r = pre.rows[u] {
                row = Array(H[(r * L)..<((r + 1) * L)])
            } else {
                row = dataset.history(user: u, cut: dataset.evaluationCut(user: u), length: c.maxLength)
            }
            h += row; lens.append(row.filter { $0 != 0 }.count)
        }
        history = h; lengths = lens
        hasAttention = model.precomputed.map { $0.A != nil } ?? true
    }

    public func interest(_ i: Int, _ k: Int, space: Space = .u) -> ArraySlice<Float> {
        let base = (i * K + k) * d
        return (space == .u ? U : Z)[base..<(base + d)]
    }

    public func attention(_ i: Int, _ k: Int) -> ArraySlice<Float> { A[((i * K + k) * L)..<((i * K + k + 1) * L)] }

    public enum Space: String, Sendable, CaseIterable { case u, z }

    /// The Re4 positives of user i's interest k: valid positions whose attention
    /// exceeds 1/length (docs/model.md §3.3), as (position, item).
    public func positives(_ i: Int, _ k: Int) -> [(Int, Int32)] {
        let len = lengths[i], g = 1 / Float(min(len, L))
        return (0..<L).compactMap { l in
            let it = history[i * L + l]
            return it != 0 && A[(i * K + k) * L + l] > g ? (l, it) : nil
        }
    }

    /// Items attended by each interest, each item given to the interest that
    /// attends to it most (the `attended` selection of docs/figures.md).
    public func attendedItems(_ i: Int) -> [[Int32]] {
        var out = [[Int32]](repeating: [], count: K)
        var seen = Set<Int32>()
        for l in 0..<L {
            let it = history[i * L + l]
            if it == 0 || seen.contains(it) { continue }
            let g = 1 / Float(min(lengths[i], L))
            var best = -1, bestA: Float = -1
            for k in 0..<K where A[(i * K + k) * L + l] > g && A[(i * K + k) * L + l] > bestA { best = k; bestA = A[(i * K + k) * L + l] }
            if best >= 0 { out[best].append(it); seen.insert(it) }
        }
        return out
    }

    /// The top-n items each interest retrieves from the whole gallery (by U_k·e_j).
    public func retrievedItems(_ i: Int, model: MultiInterestModel, top n: Int) -> [[Int32]] {
        (0..<K).map { k in
            var v = Array(interest(i, k))
            return v.withUnsafeMutableBufferPointer { p in
                Retrieval.topN(U: p.baseAddress!, users: 1, K: 1, d: d, E: model.embedding, items: model.config.items, N: n)[0]
            }
        }
    }
}

/// Seeded sample of test users with at least `minLength` history items.
public func sampleUsers(_ dataset: Dataset, count: Int, seed: UInt64, minLength: Int = 5) -> [Int] {
    var pool = dataset.users(in: .test).filter { dataset.evaluationCut(user: $0) >= minLength }
    var rng = SeededRandom(seed: seed, stream: "viz-users")
    rng.shuffle(&pool)
    return Array(pool.prefix(count)).sorted()
}

@inline(__always) func cosine(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
    var dot = 0.0, na = 0.0, nb = 0.0
    for (x, y) in zip(a, b) { dot += Double(x) * Double(y); na += Double(x) * Double(x); nb += Double(y) * Double(y) }
    return na > 0 && nb > 0 ? dot / (na * nb).squareRoot() : 0
}

/// The users a picture, page or table is about: the ids given (comma-separated;
/// each must be a user of `split`, `InterestMap.users`), else a seeded sample of
/// `count` test users (`sampleUsers`). `re4-viz tsne`, `explore` and `distinct`
/// choose through it.
public func chooseUsers(ids: String?, split: SplitPart = .test, count: Int, seed: UInt64, in ds: Dataset, minLength: Int = 5) throws -> [Int] {
    guard let ids else { return sampleUsers(ds, count: count, seed: seed, minLength: minLength) }
    let list = ids.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard !list.isEmpty else { throw VizError.badInput("--user-ids is empty; give user ids separated by commas") }
    return try InterestMap.users(ids: list, in: ds, split: split)
}
