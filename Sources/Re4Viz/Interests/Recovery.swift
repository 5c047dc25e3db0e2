import Foundation
import Re4Core

/// Learned interests against planted ones (data from `re4 data synth`).
///
/// Each learned interest gets a category mass: the attention-weighted
/// categories of the user's history items (`attended`), or the categories of
/// its top-50 retrieved items, each weighing 1/50 (`retrieved`). Learned and
/// planted interests are matched one to one per user (Hungarian algorithm,
/// maximising the mass each learned interest puts on its planted category). A
/// planted interest is *recovered* when the learned interest matched to it has
/// that category as its largest mass.
public enum Recovery {
    public struct UserScore: Sendable, Equatable {
        /// Share of the user's planted interests that are recovered.
        public var recovered: Double
        /// Share of the learned interests whose dominant category repeats an
        /// earlier interest's (K copies: (K−1)/K).
        public var duplicates: Double
        /// Mean over learned interests of the largest category share.
        public var purity: Double
    }

    /// Scores one user from each learned interest's category mass.
    /// - Parameters:
    ///   - masses: per learned interest, mass per category (any scale).
    ///   - planted: the user's planted categories.
    public static func score(masses: [[String: Double]], planted: [String]) -> UserScore? {
        guard !masses.isEmpty, !planted.isEmpty else { return nil }
        let dominant = masses.map { m in m.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key }
        let S = masses.map { m in planted.map { m[$0] ?? 0 } }
        let match = assignment(maximising: S)
        var recovered = 0
        for (k, p) in match.enumerated() where p >= 0 && dominant[k] == planted[p] { recovered += 1 }
        var seen = Set<String>(), dup = 0
        for d in dominant { if let d { if !seen.insert(d).inserted { dup += 1 } } }
        let purity = masses.map { m -> Double in
            let total = m.values.reduce(0, +)
            return total > 0 ? m.values.max()! / total : 0
        }.reduce(0, +) / Double(masses.count)
        return UserScore(recovered: Double(recovered) / Double(planted.count), duplicates: Double(dup) / Double(masses.count), purity: purity)
    }

    /// The planted category each learned interest is matched to (nil for the
    /// interests left over when the user has fewer planted interests than K).
    public static func matchedCategories(masses: [[String: Double]], planted: [String]) -> [String?] {
        guard !planted.isEmpty else { return masses.map { _ in nil } }
        let S = masses.map { m in planted.map { m[$0] ?? 0 } }
        return assignment(maximising: S).map { $0 >= 0 ? planted[$0] : nil }
    }

    /// How well a picture shows the planted interests: the share of stars (placed
    /// or embedded interests) whose `neighbours` nearest items in the picture
    /// are mostly (more than half) of the category the interest was matched to.
    /// Stars of interests without a match are left out; a panel with fewer items
    /// than `neighbours` uses all of them (at least 3).
    /// - Parameters:
    ///   - matched: per (user index, interest) the matched category.
    ///   - ownItemsOnly: the neighbours come from the star's user's items only
    ///     (the `panels` layout draws one user per panel); otherwise from every
    ///     item of the panel (all users' in `family`, the whole gallery on a map).
    public static func viewScore(_ points: [InterestProjection.Point], dataset ds: Dataset, matched: [[String?]],
                                 neighbours: Int = 10, ownItemsOnly: Bool = false) -> Double? {
        var hits = 0, counted = 0
        for panel in Set(points.map(\.panel)).sorted() {
            let here = points.filter { $0.panel == panel }
            let items = here.filter { !$0.isInterest && $0.item > 0 }
            let mapItems = items.filter { $0.userIndex < 0 }
            for star in here where star.isInterest {
                guard matched.indices.contains(star.userIndex), matched[star.userIndex].indices.contains(star.interest),
                      let cat = matched[star.userIndex][star.interest] else { continue }
                // On a map the ground is the whole gallery; otherwise every item of the panel's joint t-SNE.
                let pool = !mapItems.isEmpty ? mapItems : ownItemsOnly ? items.filter { $0.userIndex == star.userIndex } : items
                let k = min(neighbours, pool.count)
                guard k >= 3 else { continue }
                let near = pool.map { p -> (Double, Int32) in ((p.x - star.x) * (p.x - star.x) + (p.y - star.y) * (p.y - star.y), p.item) }
                    .sorted { $0 < $1 }.prefix(k)
                let same = near.filter { ds.itemCategories[Int($0.1)].first == cat }.count
                counted += 1
                if 2 * same > k { hits += 1 }
            }
        }
        return counted > 0 ? Double(hits) / Double(counted) : nil
    }

    /// A one-to-one assignment of rows to columns maximising the summed score
    /// (Hungarian algorithm with potentials, O(n³) on the padded square).
    /// - Returns: per row the column it gets, or −1 when there are more rows than columns.
    public static func assignment(maximising S: [[Double]]) -> [Int] {
        let rows = S.count, cols = S.first?.count ?? 0
        let n = max(rows, cols)
        guard n > 0 else { return [] }
        let top = S.flatMap { $0 }.max() ?? 0
        // Minimise (top − S) on the square, padded with cost `top` (a zero score).
        func cost(_ i: Int, _ j: Int) -> Double { i < rows && j < cols ? top - S[i][j] : top }
        var u = [Double](repeating: 0, count: n + 1), v = [Double](repeating: 0, count: n + 1)
        var p = [Int](repeating: 0, count: n + 1), way = [Int](repeating: 0, count: n + 1)
        for i in 1...n {
            p[0] = i
            var j0 = 0
            var minv = [Double](repeating: .infinity, count: n + 1)
            var used = [Bool](repeating: false, count: n + 1)
            repeat {
                used[j0] = true
                let i0 = p[j0]
                var delta = Double.infinity, j1 = 0
                for j in 1...n where !used[j] {
                    let cur = cost(i0 - 1, j - 1) - u[i0] - v[j]
                    if cur < minv[j] { minv[j] = cur; way[j] = j0 }
                    if minv[j] < delta { delta = minv[j]; j1 = j }
                }
                for j in 0...n {
                    if used[j] { u[p[j]] += delta; v[j] -= delta } else { minv[j] -= delta }
                }
                j0 = j1
            } while p[j0] != 0
            repeat { let j1 = way[j0]; p[j0] = p[j1]; j0 = j1 } while j0 != 0
        }
        var result = [Int](repeating: -1, count: rows)
        for j in 1...n where p[j] >= 1 && p[j] <= rows && j <= cols { result[p[j] - 1] = j - 1 }
        return result
    }

    /// The category masses of user i's learned interests.
    static func masses(_ ui: UserInterests, _ i: Int, tops: [[Int32]], dataset ds: Dataset, attended: Bool) -> [[String: Double]] {
        (0..<ui.K).map { k in
            var m: [String: Double] = [:]
            if attended {
                let a = ui.attention(i, k)
                for (l, w) in a.enumerated() {
                    let it = ui.history[i * ui.L + l]
                    if it != 0, let c = ds.itemCategories[Int(it)].first { m[c, default: 0] += Double(w) }
                }
            } else {
                for it in tops[k] { if let c = ds.itemCategories[Int(it)].first { m[c, default: 0] += 1.0 / Double(tops[k].count) } }
            }
            return m
        }
    }

    /// Per learned interest of each user, the matched planted category by attended items.
    public static func matchedCategories(model: MultiInterestModel, dataset ds: Dataset, users: [Int], threads: Int) -> [[String?]] {
        let ui = UserInterests(model: model, dataset: ds, users: users, threads: threads)
        return users.indices.map { i in
            let planted = ds.planted.indices.contains(users[i]) ? ds.planted[users[i]].map(\.category) : []
            return matchedCategories(masses: masses(ui, i, tops: [], dataset: ds, attended: true), planted: planted)
        }
    }
}
