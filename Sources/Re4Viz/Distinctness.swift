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

    /// One statistic of a model against the first: the paired difference over
    /// the users both define it for, its seeded 95 % bootstrap interval, the
    /// Wilcoxon signed-rank p, and Holm's adjustment over the statistics compared.
    public struct PairedDifference: Sendable, Equatable {
        public var key: String
        public var difference: Double
        public var low: Double
        public var high: Double
        public var p: Double
        public var holm: Double
        public var users: Int
    }

    /// Statistics identical by construction for every one of `reports` (per-user
    /// values equal, e.g. cos_Z ≡ cos_U for models without a separate Z), as
    /// (left out, same as); empty when a report has no per-user values.
    public static func duplicateKeys(_ reports: [Report]) -> [(String, String)] {
        guard !reports.isEmpty, reports.allSatisfy({ $0.perUser != nil }) else { return [] }
        let same = { (v: [Double], w: [Double]) in v.count == w.count && zip(v, w).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) } }
        var kept: [String] = [], dups: [(String, String)] = []
        for (key, _) in definitions {
            guard reports.allSatisfy({ $0.perUser![key].map { $0.contains { !$0.isNaN } } ?? false }) else { continue }
            if let twin = kept.first(where: { k in reports.allSatisfy { same($0.perUser![k]!, $0.perUser![key]!) } }) { dups.append((key, twin)); continue }
            kept.append(key)
        }
        return dups
    }

    /// The paired differences of `b` against `a` (same users in the same order).
    /// Statistics that are identical by construction for both models (e.g.
    /// cos_Z ≡ cos_U for a model whose Z is its U) are left out of the family
    /// and named in `duplicates` as (left out, same as).
    public static func paired(_ a: Report, _ b: Report, seed: UInt64, resamples: Int = 2000)
        -> (rows: [PairedDifference], duplicates: [(String, String)])? {
        guard let pa = a.perUser, let pb = b.perUser, let na = pa["cos_U"]?.count, na == pb["cos_U"]?.count else { return nil }
        var rows: [PairedDifference] = [], dups: [(String, String)] = [], kept: [String] = []
        for (key, _) in definitions {
            guard let x = pa[key], let y = pb[key], x.count == na, y.count == na else { continue }
            let same = { (v: [Double], w: [Double]) in zip(v, w).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) } }
            if let twin = kept.first(where: { same(pa[$0]!, x) && same(pb[$0]!, y) }) { dups.append((key, twin)); continue }
            let d = zip(x, y).compactMap { $0.isFinite && $1.isFinite ? $1 - $0 : nil }
            guard d.count >= 2 else { continue }
            kept.append(key)
            let ci = PairedTests.bootstrap(d, resamples: resamples, seed: seed)
            rows.append(PairedDifference(key: key, difference: PairedTests.mean(d), low: ci.low, high: ci.high,
                                         p: PairedTests.wilcoxon(d).p, holm: 1, users: d.count))
        }
        let adjusted = PairedTests.holm(rows.map(\.p))
        for i in rows.indices { rows[i].holm = adjusted[i] }
        return (rows, dups)
    }

    /// Renders reports side by side; with two or more, differences against the first
    /// and whether the 95% intervals overlap.
    /// Output formats of `re4-viz distinct`.
    public enum Format: String, Sendable, CaseIterable { case table, json, csv, markdown }

    public static func format(_ reports: [Report], as format: Format, seed: UInt64 = 42) -> String {
        // Every model against the first, user by user (they are measured on the same users).
        let pairs = reports.dropFirst().map { paired(reports[0], $0, seed: seed) }
        let dropped = Set(pairs.compactMap { $0 }.flatMap { $0.duplicates.map(\.0) })
        let allDuplicate = !pairs.isEmpty && pairs.allSatisfy { p in p.map { Set($0.duplicates.map(\.0)) == dropped } ?? false }
        let keys = definitions.map(\.0).filter { k in reports.contains { $0.value(k) != nil } && !(allDuplicate && dropped.contains(k)) }
        func cell(_ s: Statistic?) -> String { s.map { String(format: "%.4f [%.4f, %.4f]", $0.mean, $0.low, $0.high) } ?? "-" }
        func pv(_ x: Double) -> String { x < 1e-4 ? String(format: "%.0e", x) : String(format: "%.4f", x) }
        func diff(_ i: Int, _ k: String) -> (String, String) {
            guard let p = pairs[i - 1], let r = p.rows.first(where: { $0.key == k }) else {
                if let a = reports[0].value(k), let b = reports[i].value(k) { return (String(format: "%+.4f", b.mean - a.mean), "- (not paired)") }
                return ("-", "-")
            }
            return (String(format: "%+.4f [%+.4f, %+.4f]", r.difference, r.low, r.high), pv(r.holm))
        }
        let note: String = {
            var lines: [String] = []
            if reports.count > 1 {
                lines.append("Δ: the mean over users of (model − first model), paired user by user, with its 95 % bootstrap interval; Holm p: Wilcoxon signed-rank, Holm-adjusted over the statistics compared.")
            }
            if allDuplicate, !dropped.isEmpty {
                let twins = pairs.compactMap { $0 }.first!.duplicates
                lines.append("Reported once (identical by construction for these models, left out of Holm's family): " + twins.map { "\($0.0) = \($0.1)" }.joined(separator: ", ") + ".")
            }
            return lines.joined(separator: "\n")
        }()
        let names = reports.map(\.checkpoint)   // the model's label (`ModelInput`)
        switch format {
        case .json:
            let items = reports.indices.map { i -> String in
                let r = reports[i]
                var s = "{\"checkpoint\":\(jsonQuote(r.checkpoint)),\"statistics\":{" + r.statistics.map {
                    "\(jsonQuote($0.key)):{\"mean\":\($0.mean),\"ci95\":[\($0.low),\($0.high)],\"users\":\($0.users)}"
                }.joined(separator: ",") + "}"
                if i > 0, let p = pairs[i - 1] {
                    s += ",\"paired_vs_first\":{" + p.rows.map {
                        "\(jsonQuote($0.key)):{\"difference\":\($0.difference),\"ci95\":[\($0.low),\($0.high)],\"wilcoxon_p\":\($0.p),\"holm_p\":\($0.holm),\"users\":\($0.users)}"
                    }.joined(separator: ",") + "}"
                }
                return s + "}"
            }
            return "[" + items.joined(separator: ",") + "]"
        case .csv:
            var lines = ["checkpoint,statistic,mean,ci_low,ci_high,users,difference_vs_first,diff_ci_low,diff_ci_high,wilcoxon_p,holm_p"]
            for (i, r) in reports.enumerated() { for s in r.statistics {
                let d = i > 0 ? pairs[i - 1]?.rows.first { $0.key == s.key } : nil
                lines.append(CSV.row([r.checkpoint, s.key, "\(s.mean)", "\(s.low)", "\(s.high)", "\(s.users)"]
                                     + (d.map { ["\($0.difference)", "\($0.low)", "\($0.high)", "\($0.p)", "\($0.holm)"] } ?? ["", "", "", "", ""])))
            } }
            return lines.joined(separator: "\n")
        case .markdown:
            var header = "| statistic | " + names.joined(separator: " | ")
            var sep = "|---|" + names.map { _ in "---|" }.joined()
            if reports.count > 1 { for n in names.dropFirst() { header += " | Δ \(n) [95 % CI] | Holm p" }; sep += names.dropFirst().map { _ in "---|---|" }.joined() }
            var lines = [header + " |", sep]
            for k in keys {
                var row = "| \(k) | " + reports.map { cell($0.value(k)) }.joined(separator: " | ")
                for i in reports.indices.dropFirst() { let (dd, o) = diff(i, k); row += " | \(dd) | \(o)" }
                lines.append(row + " |")
            }
            return lines.joined(separator: "\n") + (note.isEmpty ? "" : "\n\n" + note)
        case .table:
            let w0 = max(22, keys.map(\.count).max() ?? 0)
            var lines = ["statistic".padding(toLength: w0, withPad: " ", startingAt: 0) + "  " + names.map { $0.padding(toLength: 30, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                + reports.indices.dropFirst().map { "  " + widen("Δ \(names[$0]) [95 % CI]", 32) + "  Holm p" }.joined()]
            for k in keys {
                var row = k.padding(toLength: w0, withPad: " ", startingAt: 0) + "  " + reports.map { cell($0.value(k)).padding(toLength: 30, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                for i in reports.indices.dropFirst() { let (dd, o) = diff(i, k); row += "  " + widen(dd, max(32, ("Δ " + names[i] + " [95 % CI]").count)) + "  " + o }
                lines.append(row)
            }
            return lines.joined(separator: "\n") + (note.isEmpty ? "" : "\n\n" + note)
        }
    }

    /// Per-user values as CSV for `re4-viz compare`: `user,split,` then every
    /// statistic in the definitions' order; an empty cell where a statistic is
    /// undefined for that user (no positives, no held-out item, no genres).
    public static func perUserCSV(_ per: [String: [Double]], dataset: Dataset, users: [Int]) -> String {
        let keys = definitions.map(\.0).filter { k in per[k]?.contains { !$0.isNaN } ?? false }
        var s = CSV.row(["user", "split"] + keys) + "\n"
        for (i, u) in users.enumerated() {
            s += CSV.row([dataset.userIDs[u], dataset.split[u].name] + keys.map { k in
                let v = per[k]![i]
                return v.isNaN ? "" : String(format: "%.6f", v)
            }) + "\n"
        }
        return s
    }

    /// `s` padded with spaces to `w` characters, never cut.
    static func widen(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }

    static func jsonQuote(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
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
