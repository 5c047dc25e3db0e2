import Foundation
import Plot
import Re4Core

/// Statistics that make "Re4's interests are more distinct" measurable
/// (docs/figures.md, "Distinctness statistics"). Each is a per-user value,
/// averaged over users, with a seeded 95% percentile-bootstrap interval.
public enum Distinctness {
    public struct Statistic: Sendable, Equatable {
        public var key: String
        public var description: String
        public var mean: Double
        public var low: Double
        public var high: Double
        public var users: Int
    }

    public struct Report: Sendable {
        public var checkpoint: String
        public var statistics: [Statistic]
        /// What could not be computed for this model, and why.
        public var skipped: [String] = []
        /// Each user's values (the users in one fixed order), kept so that two
        /// models measured on the same users are compared user by user.
        public var perUser: [String: [Double]]? = nil
        public func value(_ key: String) -> Statistic? { statistics.first { $0.key == key } }
    }

    /// Definitions, in report order.
    public static let definitions: [(String, String)] = [
        ("cos_U", "mean pairwise cosine between a user's interests U (lower = more distinct)"),
        ("cos_Z", "mean pairwise cosine between raw interests Z"),
        ("cos_U_slot", "cosine between interest k of a user and interest k of the next sampled user (high = slots shared by users, not user-specific)"),
        ("attention_entropy", "attention entropy per interest / log(length) (low = focused)"),
        ("attention_top_share", "share of an interest's attention on its single largest item"),
        ("positives", "Re4 positives per interest (attention > 1/length)"),
        ("no_positive_share", "share of interests with no positive"),
        ("retrieved_jaccard", "mean Jaccard overlap of interests' retrieved top-50 lists"),
        ("usage_entropy", "entropy of which interest wins each held-out item / log K"),
        ("dead_interest_share", "share of interests that win no held-out item"),
        ("coherence_margin", "cos(interest, its attended items) − cos(interest, another user's items)"),
        ("category_purity", "share of the dominant genre among an interest's top-50 items"),
        ("top50_genres", "distinct genres in the merged top-50 recommendation list"),
        // With planted interests (`re4 data synth`): learned against planted, see `Recovery`.
        ("recovered_attended", "share of planted interests recovered (matched by the categories of attended items)"),
        ("recovered_retrieved", "share of planted interests recovered (matched by the categories of the top-50)"),
        ("duplicate_attended", "share of learned interests whose attended category repeats another's"),
        ("duplicate_retrieved", "share of learned interests whose top-50 category repeats another's"),
        ("purity_attended", "largest category share of an interest's attention"),
    ]

    /// Per-user values of every statistic (NaN where undefined for that user).
    public static func perUser(model: MultiInterestModel, dataset: Dataset, users: [Int], threads: Int = 1) -> [String: [Double]] {
        let ui = UserInterests(model: model, dataset: dataset, users: users, threads: threads)
        let K = ui.K, L = ui.L, d = ui.d
        let E = model.embedding
        func itemVec(_ it: Int32) -> ArraySlice<Float> {
            ArraySlice(UnsafeBufferPointer(start: E + Int(it) * d, count: d))
        }
        var out: [String: [Double]] = [:]
        for (key, _) in definitions { out[key] = [] }
        let hasCategories = dataset.hasCategories
        for i in users.indices {
            var pairsU = 0.0, pairsZ = 0.0, jacc = 0.0, np = 0
            let tops = ui.retrievedItems(i, model: model, top: 50)
            for k in 0..<K { for m in (k + 1)..<max(K, k + 1) {
                pairsU += cosine(ui.interest(i, k), ui.interest(i, m))
                pairsZ += cosine(ui.interest(i, k, space: .z), ui.interest(i, m, space: .z))
                let a = Set(tops[k]), b = Set(tops[m])
                jacc += Double(a.intersection(b).count) / Double(max(1, a.union(b).count))
                np += 1
            } }
            out["cos_U"]!.append(np > 0 ? pairsU / Double(np) : .nan)
            out["cos_Z"]!.append(np > 0 ? pairsZ / Double(np) : .nan)
            out["retrieved_jaccard"]!.append(np > 0 ? jacc / Double(np) : .nan)
            // Slot sharing: interest k against the same slot of the next sampled user.
            let next = (i + 1) % users.count
            out["cos_U_slot"]!.append(next == i ? .nan : (0..<K).map { cosine(ui.interest(i, $0), ui.interest(next, $0)) }.reduce(0, +) / Double(K))
            let len = min(ui.lengths[i], L)
            var ent = 0.0, top = 0.0, pos = 0.0, none = 0.0
            for k in 0..<K {
                let a = ui.attention(i, k)
                var h = 0.0
                for v in a where v > 0 { h -= Double(v) * log(Double(v)) }
                ent += len > 1 ? h / log(Double(len)) : .nan
                top += Double(a.max() ?? 0)
                let p = ui.positives(i, k).count
                pos += Double(p); none += p == 0 ? 1 : 0
            }
            let att = ui.hasAttention ? 1.0 : .nan  // no attention given: these are undefined, so left out
            out["attention_entropy"]!.append(att * ent / Double(K))
            out["attention_top_share"]!.append(att * top / Double(K))
            out["positives"]!.append(att * pos / Double(K))
            out["no_positive_share"]!.append(att * none / Double(K))
            // Usage: which interest scores each held-out item highest.
            let gt = dataset.groundTruth(user: users[i])
            var wins = [Int](repeating: 0, count: K)
            for it in gt {
                var best = 0, bs = -Double.infinity
                for k in 0..<K {
                    var s = 0.0
                    for (x, y) in zip(ui.interest(i, k), itemVec(it)) { s += Double(x) * Double(y) }
                    if s > bs { bs = s; best = k }
                }
                wins[best] += 1
            }
            let total = Double(wins.reduce(0, +))
            var ue = 0.0
            for w in wins where w > 0 { let p = Double(w) / total; ue -= p * log(p) }
            out["usage_entropy"]!.append(K > 1 && total > 0 ? ue / log(Double(K)) : .nan)
            out["dead_interest_share"]!.append(total > 0 ? Double(wins.filter { $0 == 0 }.count) / Double(K) : .nan)
            // Coherence: attended items vs the next sampled user's history items.
            let other = (i + 1) % users.count
            let otherItems = (0..<L).map { ui.history[other * L + $0] }.filter { $0 != 0 }
            var margin = 0.0, counted = 0
            for k in 0..<K {
                let att = ui.positives(i, k).map(\.1)
                guard !att.isEmpty, !otherItems.isEmpty, other != i else { continue }
                let own = att.map { cosine(ui.interest(i, k), itemVec($0)) }.reduce(0, +) / Double(att.count)
                let oth = otherItems.map { cosine(ui.interest(i, k), itemVec($0)) }.reduce(0, +) / Double(otherItems.count)
                margin += own - oth; counted += 1
            }
            out["coherence_margin"]!.append(counted > 0 ? att * margin / Double(counted) : .nan)
            if hasCategories {
                var purity = 0.0
                for k in 0..<K {
                    var counts: [String: Int] = [:]
                    for it in tops[k] { for g in dataset.itemCategories[Int(it)] { counts[g, default: 0] += 1 } }
                    let all = counts.values.reduce(0, +)
                    purity += all > 0 ? Double(counts.values.max()!) / Double(all) : 0
                }
                out["category_purity"]!.append(purity / Double(K))
                var merged = Array(ui.U[(i * K * d)..<((i + 1) * K * d)])
                let list = merged.withUnsafeMutableBufferPointer {
                    Retrieval.topN(U: $0.baseAddress!, users: 1, K: K, d: d, E: E, items: model.config.items, N: 50)[0]
                }
                out["top50_genres"]!.append(Double(Set(list.flatMap { dataset.itemCategories[Int($0)] }).count))
            } else {
                out["category_purity"]!.append(.nan); out["top50_genres"]!.append(.nan)
            }
            let planted = dataset.planted.indices.contains(users[i]) ? dataset.planted[users[i]].map(\.category) : []
            if let r = Recovery.score(masses: Recovery.masses(ui, i, tops: tops, dataset: dataset, attended: false), planted: planted) {
                let a = ui.hasAttention ? Recovery.score(masses: Recovery.masses(ui, i, tops: tops, dataset: dataset, attended: true), planted: planted) : nil
                out["recovered_attended"]!.append(a?.recovered ?? .nan); out["recovered_retrieved"]!.append(r.recovered)
                out["duplicate_attended"]!.append(a?.duplicates ?? .nan); out["duplicate_retrieved"]!.append(r.duplicates)
                out["purity_attended"]!.append(a?.purity ?? .nan)
            }
        }
        return out
    }

    /// Mean and 95% percentile-bootstrap interval (seeded; NaNs dropped).
    public static func summarize(_ values: [Double], resamples: Int = 1000, seed: UInt64) -> (Double, Double, Double, Int) {
        let v = values.filter(\.isFinite)
        guard !v.isEmpty else { return (.nan, .nan, .nan, 0) }
        let mean = v.reduce(0, +) / Double(v.count)
        var rng = SeededRandom(seed: seed, stream: "bootstrap")
        var means: [Double] = []
        means.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var s = 0.0
            for _ in 0..<v.count { s += v[rng.below(v.count)] }
            means.append(s / Double(v.count))
        }
        means.sort()
        let lo = means[Int(0.025 * Double(resamples - 1))], hi = means[Int((0.975 * Double(resamples - 1)).rounded(.up))]
        return (mean, lo, hi, v.count)
    }

    public static func report(checkpoint: String, model: MultiInterestModel, dataset: Dataset, users: [Int], seed: UInt64,
                              threads: Int = 1) -> Report {
        report(checkpoint: checkpoint, perUser: perUser(model: model, dataset: dataset, users: users, threads: threads),
               model: model, dataset: dataset, seed: seed)
    }

    /// The report from per-user values already computed (`perUser`).
    public static func report(checkpoint: String, perUser per: [String: [Double]], model: MultiInterestModel, dataset: Dataset,
                              seed: UInt64) -> Report {
        let stats = definitions.compactMap { key, desc -> Statistic? in
            let (m, lo, hi, n) = summarize(per[key]!, seed: seed)
            return n == 0 ? nil : Statistic(key: key, description: desc, mean: m, low: lo, high: hi, users: n)
        }
        var skipped: [String] = []
        if model.precomputed?.A == nil && model.precomputed != nil { skipped.append("the attention statistics (no --attention given)") }
        if !dataset.heldOut { skipped.append("usage on held-out items (the arrays hold no held-out items)") }
        if !dataset.hasCategories { skipped.append("genre purity (the items have no genres)") }
        return Report(checkpoint: checkpoint, statistics: stats, skipped: skipped, perUser: per)
    }
}

extension Distinctness {
    /// `distinct --figure`: one panel per statistic any model has, one bar per
    /// model with its 95 % bootstrap interval; a legend names the models.
    public static func figure(_ reports: [Report], title: String?, dpi: Double) -> Figure {
        let dropped = Set(duplicateKeys(reports).map(\.0))
        let keys = definitions.map(\.0).filter { k in reports.contains { $0.value(k) != nil } && !dropped.contains(k) }
        let cols = max(1, min(4, keys.count)), rows = max(1, (keys.count + cols - 1) / cols)
        var fig = Figure(rows: rows, columns: cols, width: 3.2 * Double(cols), height: 2.5 * Double(rows) + (title != nil ? 0.7 : 0.3),
                         dpi: dpi, title: title)
        let colors = Palette.categorical(reports.count)
        fig.legend = reports.enumerated().map { LegendEntry($0.element.checkpoint, color: colors[$0.offset]) }
        for (ki, key) in keys.enumerated() {
            var ax = Axes(title: Labels.readable(key))
            for (i, r) in reports.enumerated() {
                guard let s = r.value(key) else { continue }
                ax.bars(x: [Double(i)], height: [s.mean], width: 0.8, color: colors[i], low: [s.low], high: [s.high])
            }
            ax.xTickLabels = []
            ax.grid = true
            ax.legend = .none
            fig.axes[ki] = ax
        }
        for i in keys.count..<(rows * cols) { fig.axes[i] = .hiddenCell }
        return fig
    }
}
