import Foundation
import Re4Core

/// Whether a 2-D map shows the items' categories at all: the share of each
/// item's k nearest neighbours on the map that share a category with it,
/// against the same share for random pairs of the map's items (the chance
/// level). A map near chance carries no category information, however
/// structured it looks (docs/figures.md, "Structure score").
public enum MapStructure {
    public struct Score: Sendable, Equatable {
        /// Mean share of the k nearest 2-D neighbours sharing a category.
        public var agreement: Double
        /// The same share for random pairs of the map's categorised items.
        public var chance: Double
        public var k: Int
        /// Items scored (a seeded sample on large maps).
        public var items: Int

        /// Within 10 % of the way from chance to perfect agreement.
        public var nearChance: Bool { agreement - chance < 0.1 * (1 - chance) }

        public var text: String { String(format: "%d-NN category agreement %.3f (chance %.3f)", k, agreement, chance) }
    }

    /// The score of items at `xy` (n × 2) with `categories` (one list per item);
    /// nil when fewer than k + 1 items have a category, or all share one.
    public static func score(xy: [Double], categories: [[String]], k: Int = 10, sample: Int = 2000, seed: UInt64 = 42) -> Score? {
        let idx = categories.indices.filter { !categories[$0].isEmpty }
        guard idx.count > k else { return nil }
        let sets = categories.map(Set.init)
        var rng = SeededRandom(seed: seed, stream: "map-structure")
        var queries = idx
        if queries.count > sample { rng.shuffle(&queries); queries = Array(queries.prefix(sample)) }
        var agree = 0.0
        for q in queries {
            // The k nearest categorised items on the map (brute force over a sample of queries).
            var best: [(Double, Int)] = []
            let qx = xy[2 * q], qy = xy[2 * q + 1]
            for j in idx where j != q {
                let dx = xy[2 * j] - qx, dy = xy[2 * j + 1] - qy
                let d2 = dx * dx + dy * dy
                if best.count < k { best.append((d2, j)); if best.count == k { best.sort { $0.0 < $1.0 } } }
                else if d2 < best[k - 1].0 {
                    var p = k - 1
                    while p > 0 && best[p - 1].0 > d2 { best[p] = best[p - 1]; p -= 1 }
                    best[p] = (d2, j)
                }
            }
            agree += Double(best.filter { !sets[$0.1].isDisjoint(with: sets[q]) }.count) / Double(best.count)
        }
        var chanceHits = 0
        let pairs = 20_000
        for _ in 0..<pairs {
            let a = idx[rng.below(idx.count)]
            var b = idx[rng.below(idx.count)]
            while b == a { b = idx[rng.below(idx.count)] }
            if !sets[a].isDisjoint(with: sets[b]) { chanceHits += 1 }
        }
        let chance = Double(chanceHits) / Double(pairs)
        guard chance < 1 else { return nil }
        return Score(agreement: agree / Double(queries.count), chance: chance, k: k, items: queries.count)
    }

    /// The score of one panel's item points.
    public static func score(_ points: [InterestProjection.Point], dataset ds: Dataset) -> Score? {
        let items = points.filter { !$0.isInterest && $0.item > 0 }
        guard ds.hasCategories else { return nil }
        return score(xy: items.flatMap { [$0.x, $0.y] }, categories: items.map { ds.itemCategories[Int($0.item)] }, k: min(10, max(1, items.count / 20)))
    }

    /// The line for stderr when a map is near chance.
    public static func warning(panel: String, _ s: Score) -> String? {
        s.nearChance ? "note: \(panel): the map shows no category structure — 2-D neighbours share a category about as often as random items do (\(s.text))" : nil
    }
}
