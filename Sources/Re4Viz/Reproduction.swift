import Foundation
import Plot
import Re4Core
import TSNE

/// The reproduction's tables and figures from a folder of finished runs.
///
/// Runs are found by name: `<prefix>-<variant>-s<seed>` (for example
/// `ml1m-re4-s2`), each a `re4 train` output folder with `log.jsonl` and
/// `best.safetensors`. Every number comes from the logs and checkpoints, so the
/// same runs give the same files.
public enum Reproduction {
    /// Variants in display order: key in the folder name, label in tables and figures.
    public static let variants: [(key: String, label: String)] = [
        ("base", "Base"), ("re4", "Re4"),
        ("noct", "Re4 w/o Re-contrast"), ("noatt", "Re4 w/o Re-attend"), ("nocs", "Re4 w/o Re-construct"),
        ("sa-base", "ComiRec-SA"), ("sa-re4", "ComiRec-SA + Re4"), ("dr-base", "ComiRec-DR"), ("dr-re4", "ComiRec-DR + Re4"),
    ]

    public struct Run: Sendable {
        public var variant: String
        public var seed: Int
        public var folder: String
        public var records: [EpochRecord]
        public var best: EpochRecord
        public var label: String { Reproduction.variants.first { $0.key == variant }?.label ?? variant }
        public var checkpoint: String { folder + "/best.safetensors" }
        /// The best validation epoch among the first `budget` epochs (all when nil).
        public func best(within budget: Int?) -> EpochRecord? {
            guard let budget else { return best }
            return Reproduction.best(records.filter { $0.epoch <= budget })
        }
    }

    /// The epoch with the best validation Recall@50 (the earliest on ties), as the trainer selects it.
    public static func best(_ records: [EpochRecord]) -> EpochRecord? {
        var best: EpochRecord? = nil
        for r in records.sorted(by: { $0.epoch < $1.epoch }) {
            guard let v = r.valid["recall@50"], v.isFinite else { continue }
            if best == nil || v > best!.valid["recall@50"]! { best = r }
        }
        return best
    }

    /// Finds `<prefix>-<variant>-s<seed>` folders under `dir` that have a log with at least one epoch.
    public static func discover(in dir: String, prefix: String) throws -> [Run] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
            throw VizError.badInput("\(dir): cannot list the runs folder; give the folder that holds the training runs")
        }
        var runs: [Run] = []
        for name in names.sorted() {
            guard name.hasPrefix(prefix + "-"), let sRange = name.range(of: "-s", options: .backwards) else { continue }
            let variant = String(name[name.index(name.startIndex, offsetBy: prefix.count + 1)..<sRange.lowerBound])
            guard let seed = Int(name[sRange.upperBound...]), variants.contains(where: { $0.key == variant }) else { continue }
            let folder = dir + "/" + name, log = folder + "/log.jsonl"
            guard FileManager.default.fileExists(atPath: log) else { continue }
            let records = try EpochLog.read(path: log)
            guard let b = best(records) else { throw VizError.badInput("\(log): no epoch with a validation Recall@50; is the run finished?") }
            runs.append(Run(variant: variant, seed: seed, folder: folder, records: records, best: b))
        }
        guard !runs.isEmpty else {
            throw VizError.badInput("\(dir): no runs named \(prefix)-<variant>-s<seed> with a log.jsonl (variants: "
                                    + variants.map(\.key).joined(separator: ", ") + "); train them first")
        }
        let order = Dictionary(uniqueKeysWithValues: variants.enumerated().map { ($1.key, $0) })
        return runs.sorted { (order[$0.variant]!, $0.seed) < (order[$1.variant]!, $1.seed) }
    }

    /// Mean and sample standard deviation (n − 1; 0 for one value).
    public static func meanStd(_ v: [Double]) -> (mean: Double, std: Double) {
        guard !v.isEmpty else { return (.nan, .nan) }
        let m = v.reduce(0, +) / Double(v.count)
        guard v.count > 1 else { return (m, 0) }
        let ss = v.reduce(0) { $0 + ($1 - m) * ($1 - m) }
        return (m, (ss / Double(v.count - 1)).squareRoot())
    }

    public static let tableMetrics: [(key: String, label: String)] = [
        ("recall@20", "Recall@20"), ("ndcg@20", "NDCG@20"), ("hitrate@20", "HR@20"),
        ("recall@50", "Recall@50"), ("ndcg@50", "NDCG@50"), ("hitrate@50", "HR@50"),
    ]

    /// The results table: per variant, test metrics at each run's best validation
    /// epoch, mean ± sample std over seeds; then Re4 − Base where both exist.
    public static func resultsMarkdown(_ runs: [Run], dataName: String, budget: Int? = nil) -> String {
        var lines = [
            "| model | seeds | best epochs | " + tableMetrics.map(\.label).joined(separator: " | ") + " |",
            "|---|---|---|" + tableMetrics.map { _ in "---|" }.joined(),
        ]
        for v in variants {
            let group = runs.filter { $0.variant == v.key }
            guard !group.isEmpty else { continue }
            let bests = group.compactMap { $0.best(within: budget) }
            guard !bests.isEmpty else { continue }
            var row = "| \(v.label) | \(bests.count) | \(bests.map { String($0.epoch) }.joined(separator: ", ")) |"
            for m in tableMetrics {
                let (mean, sd) = meanStd(bests.compactMap { $0.test[m.key] })
                row += bests.count > 1 ? String(format: " %.4f ± %.4f |", mean, sd) : String(format: " %.4f |", mean)
            }
            lines.append(row)
        }
        let base = runs.filter { $0.variant == "base" }.compactMap { $0.best(within: budget) }
        let re4 = runs.filter { $0.variant == "re4" }.compactMap { $0.best(within: budget) }
        if !base.isEmpty && !re4.isEmpty {
            var row = "| Re4 − Base | | |", wins: [String] = []
            for m in tableMetrics {
                let a = meanStd(base.compactMap { $0.test[m.key] }).mean, b = meanStd(re4.compactMap { $0.test[m.key] }).mean
                row += String(format: " %+.4f (%+.1f%%) |", b - a, 100 * (b - a) / a)
                if b > a { wins.append(m.label) }
            }
            lines.append(row)
            lines.append("")
            let verdict = wins.count == tableMetrics.count
                ? "Re4's mean is above Base's on every metric."
                : wins.isEmpty ? "Re4 does not beat Base on any metric here."
                : "Re4's mean is above Base's on \(wins.joined(separator: ", ")) only."
            let lowest = tableMetrics.map { m in
                (re4.compactMap { $0.test[m.key] }.min() ?? .nan) > (base.compactMap { $0.test[m.key] }.max() ?? .nan)
            }
            let separated = lowest.allSatisfy { $0 } ? " Every Re4 seed is above every Base seed on every metric." : ""
            lines.append(verdict + separated)
        }
        let within = budget.map { " among its first \($0) epochs" } ?? ""
        lines += [
            "",
            "\(dataName), test users, full-gallery ranking (SPEC-re4 §5). Each run's epoch is chosen on validation",
            "Recall@50\(within); ± is the sample standard deviation over seeds. NDCG is the `standard` convention",
            "(IDCG over min(|set(gt)|, N) ranks); the logs also hold the `comirec` and `re4` conventions.",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Short names for the x axis of the ablation panels.
    static let shortLabels: [String: String] = [
        "base": "Base", "re4": "Re4", "noct": "w/o ct", "noatt": "w/o att", "nocs": "w/o cs",
        "sa-base": "SA", "sa-re4": "SA+Re4", "dr-base": "DR", "dr-re4": "DR+Re4",
    ]

    /// The ablation: one panel per metric, one bar per variant (mean over seeds),
    /// whiskers from the lowest to the highest seed where there are several.
    public static func ablationFigure(_ runs: [Run], metrics: [(key: String, label: String)], budget: Int? = nil,
                                      title: String?, dpi: Double) -> Figure {
        let present = variants.filter { v in runs.contains { $0.variant == v.key } }
        let cols = min(4, metrics.count), rows = (metrics.count + cols - 1) / cols
        var fig = Figure(rows: rows, columns: cols, width: max(2.6, 0.55 * Double(present.count) + 0.9) * Double(cols),
                         height: 3.0 * Double(rows) + (title != nil ? 0.4 : 0), dpi: dpi, title: title)
        for (mi, m) in metrics.enumerated() {
            var ax = Axes(title: m.label)
            for (vi, v) in present.enumerated() {
                let vals = runs.filter { $0.variant == v.key }.compactMap { $0.best(within: budget)?.test[m.key] }
                let several = vals.count > 1
                ax.bars(x: [Double(vi)], height: [meanStd(vals).mean], width: 0.75, color: Palette.tab10.color(vi),
                        low: [several ? vals.min()! : .nan], high: [several ? vals.max()! : .nan])
            }
            ax.xTickLabels = present.enumerated().map { (Double($0.offset), shortLabels[$0.element.key] ?? $0.element.key) }
            ax.grid = true
            ax.legend = .none
            fig.axes[mi] = ax
        }
        for i in metrics.count..<(rows * cols) { var e = Axes(); e.showTicks = false; e.legend = .none; fig.axes[i] = e }
        return fig
    }

    /// Distinctness statistics as bars: one panel per statistic, one group per
    /// seed, Base and Re4 side by side, whiskers at the 95 % bootstrap interval
    /// over users.
    public static func distinctnessFigure(_ reports: [(variant: String, seed: Int, report: Distinctness.Report)],
                                          keys: [String], title: String?, dpi: Double) -> Figure {
        let cols = min(4, keys.count), rows = (keys.count + cols - 1) / cols
        var fig = Figure(rows: rows, columns: cols, width: 3.2 * Double(cols), height: 2.7 * Double(rows) + (title != nil ? 0.4 : 0),
                         dpi: dpi, title: title)
        let seeds = Array(Set(reports.map(\.seed))).sorted()
        let present = variants.filter { v in reports.contains { $0.variant == v.key } }
        // One legend, outside the last panel of the first row (bars fill every corner).
        let legendPanel = cols - 1
        for (ki, key) in keys.enumerated() {
            var ax = Axes(title: key)
            let w = 0.8 / Double(present.count)
            for (vi, v) in present.enumerated() {
                var xs: [Double] = [], hs: [Double] = [], lo: [Double] = [], hi: [Double] = []
                for (si, s) in seeds.enumerated() {
                    guard let st = reports.first(where: { $0.variant == v.key && $0.seed == s })?.report.value(key) else { continue }
                    xs.append(Double(si) + (Double(vi) - Double(present.count - 1) / 2) * w)
                    hs.append(st.mean); lo.append(st.low); hi.append(st.high)
                }
                ax.bars(x: xs, height: hs, width: w * 0.92, color: Palette.tab10.color(vi), low: lo, high: hi,
                        label: ki == legendPanel ? v.label : nil)
            }
            ax.xTickLabels = seeds.enumerated().map { (Double($0.offset), "seed \($0.element)") }
            ax.grid = true
            ax.legend = ki == legendPanel ? .outsideRight : .none
            fig.axes[ki] = ax
        }
        for i in keys.count..<(rows * cols) { var e = Axes(); e.showTicks = false; e.legend = .none; fig.axes[i] = e }
        return fig
    }

    /// The distinctness summary: each statistic's mean over seeds (± sample std)
    /// per variant, the difference, and in how many seeds the two 95 % intervals
    /// are apart in the direction of the mean difference.
    public static func distinctnessMarkdown(_ reports: [(variant: String, seed: Int, report: Distinctness.Report)],
                                            dataName: String, users: Int) -> String {
        let present = variants.filter { v in reports.contains { $0.variant == v.key } }
        var lines = ["| statistic | " + present.map(\.label).joined(separator: " | ")
                     + (present.count == 2 ? " | Δ (\(present[1].label) − \(present[0].label)) | seeds with intervals apart |" : " |"),
                     "|---|" + present.map { _ in "---|" }.joined() + (present.count == 2 ? "---|---|" : "")]
        let seeds = Array(Set(reports.map(\.seed))).sorted()
        for (key, _) in Distinctness.definitions {
            let per = present.map { v in reports.filter { $0.variant == v.key }.compactMap { $0.report.value(key) } }
            guard per.allSatisfy({ !$0.isEmpty }) else { continue }
            var row = "| \(key) |"
            for p in per {
                let (m, sd) = meanStd(p.map(\.mean))
                row += p.count > 1 ? String(format: " %.4f ± %.4f |", m, sd) : String(format: " %.4f [%.4f, %.4f] |", m, p[0].low, p[0].high)
            }
            if present.count == 2 {
                let d = meanStd(per[1].map(\.mean)).mean - meanStd(per[0].map(\.mean)).mean
                var apart = 0
                for s in seeds {
                    guard let a = reports.first(where: { $0.variant == present[0].key && $0.seed == s })?.report.value(key),
                          let b = reports.first(where: { $0.variant == present[1].key && $0.seed == s })?.report.value(key) else { continue }
                    if (d > 0 && b.low > a.high) || (d < 0 && b.high < a.low) { apart += 1 }
                }
                row += String(format: " %+.4f | %d of %d |", d, apart, seeds.count)
            }
            lines.append(row)
        }
        lines += ["", "\(dataName): \(users) test users, best-validation checkpoints. A value is the mean over users;",
                  "± is the sample standard deviation of that mean over seeds (with one seed: its 95 % bootstrap interval",
                  "over users). \"Intervals apart\" counts seeds whose two 95 % bootstrap intervals do not overlap.", "",
                  "Definitions:", ""]
        lines += Distinctness.definitions.map { "- `\($0.0)`: \($0.1)" }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension Reproduction {
    public struct FigureOptions: Sendable {
        public var runs: String
        public var prefix: String
        /// File-name suffix, e.g. `movielens1m` → `fig3-curves-movielens1m.png`.
        public var name: String
        /// Data set title in captions, e.g. "MovieLens-1M".
        public var dataTitle: String
        public var out: String
        public var dpi = 200.0
        public var users = 6
        public var seed: UInt64 = 42
        public var threads = 2
        /// Users for the distinctness statistics (nil = all test users).
        public var distinctUsers: Int? = nil
        /// Compare the ablation at this many epochs: every run's best validation epoch
        /// among its first `ablationEpochs` (nil = each run's own best).
        public var ablationEpochs: Int? = nil
        public init(runs: String, prefix: String, name: String, dataTitle: String, out: String) {
            self.runs = runs; self.prefix = prefix; self.name = name; self.dataTitle = dataTitle; self.out = out
        }
    }

    /// Writes every table and figure of the reproduction that the runs allow and
    /// returns the paths written (each atomically). `log` receives one line per step.
    public static func makeFigures(_ o: FigureOptions, dataset ds: Dataset, log: (String) -> Void) throws -> [String] {
        guard FileManager.default.fileExists(atPath: o.out) else { throw IOError.missingFolder(path: o.out, folder: o.out) }
        let runs = try discover(in: o.runs, prefix: o.prefix)
        log("found \(runs.count) runs: " + variants.compactMap { v in
            let s = runs.filter { $0.variant == v.key }.map(\.seed)
            return s.isEmpty ? nil : "\(v.key) (seeds \(s.map(String.init).joined(separator: ",")))"
        }.joined(separator: ", "))
        var written: [String] = []
        func path(_ file: String) -> String { o.out + "/" + file }
        // Each checkpoint is read once (the seed-1 pair serves Figure 4, the item map and distinctness).
        var models: [String: MultiInterestModel] = [:]
        func model(_ r: Run) throws -> MultiInterestModel {
            if let m = models[r.checkpoint] { return m }
            let m = try loadCheckpoint(r.checkpoint, for: ds, allowMismatch: false)
            models[r.checkpoint] = m
            return m
        }

        let results = path("results.md")
        let main = runs.filter { !["noct", "noatt", "nocs"].contains($0.variant) }
        var text = "# Results: \(o.dataTitle)\n\n" + resultsMarkdown(main, dataName: o.dataTitle)
        if main.count < runs.count {
            let budget = o.ablationEpochs.map { "\($0)-epoch budget" } ?? "each run's own best epoch"
            text += "\n## Ablation (\(budget))\n\n" + resultsMarkdown(runs, dataName: o.dataTitle, budget: o.ablationEpochs)
        }
        try AtomicFile.write(text, to: results)
        written.append(results)

        // Figure 3: test Recall@50 and HR@50 against epoch, Base vs Re4, seeds as bands.
        let curveRuns = runs.filter { $0.variant == "base" || $0.variant == "re4" }.map {
            Curves.Run(label: $0.label, path: $0.folder + "/log.jsonl", records: $0.records.sorted { $0.epoch < $1.epoch })
        }
        if !curveRuns.isEmpty {
            let f = try Curves.figure(runs: curveRuns, metrics: ["test_recall@50", "test_hitrate@50"],
                                      title: "\(o.dataTitle): test metrics by epoch (band: min–max over seeds; ★: best validation epoch)",
                                      dpi: o.dpi)
            let p = path("fig3-curves-\(o.name).png"); try f.save(p); written.append(p); log("wrote \(p)")
        }

        // The Base | Re4 pair of the lowest seed both have: Figure 4, the item map, distinctness.
        let baseSeeds = Set(runs.filter { $0.variant == "base" }.map(\.seed)), re4Seeds = Set(runs.filter { $0.variant == "re4" }.map(\.seed))
        let common = baseSeeds.intersection(re4Seeds).sorted()
        if let s = common.first {
            let pair = ["base", "re4"].map { v in runs.first { $0.variant == v && $0.seed == s }! }
            let pairModels = try pair.map(model)
            let titles = pair.map(\.label)
            let which = "seed \(s); " + pair.map { "\($0.label) epoch \($0.best.epoch)" }.joined(separator: ", ")
            var t = TSNEOptions()
            t.metric = .cosine; t.seed = o.seed; t.threads = o.threads
            let chosen = sampleUsers(ds, count: o.users, seed: o.seed)
            guard !chosen.isEmpty else { throw VizError.badInput("no test user has a long enough history to sample") }
            var pts: [InterestProjection.Point] = []
            for (p, m) in pairModels.enumerated() {
                pts += try InterestProjection.project(model: m, dataset: ds, users: chosen, space: .u, selection: .attended, panel: p, options: t)
            }
            let f4 = InterestProjection.figure(points: pts, panelTitles: titles, users: chosen.count, K: pairModels[0].config.interests,
                                               layout: .panels, caption: InterestProjection.Selection.attended.caption + ", interests U",
                                               title: "\(o.dataTitle) (\(which)): the same test users' interests (★) and attended items (●)", dpi: o.dpi)
            let p4 = path("fig4-tsne-\(o.name).png"); try f4.save(p4); written.append(p4); log("wrote \(p4)")
            let c4 = path("fig4-tsne-\(o.name).csv")
            try AtomicFile.write(InterestProjection.coordinatesCSV(pts, panelTitles: titles, dataset: ds), to: c4); written.append(c4)

            var gallery: [InterestProjection.Point] = []
            for (p, m) in pairModels.enumerated() {
                gallery += try InterestProjection.projectGallery(model: m, dataset: ds, users: chosen, space: .u, sample: nil,
                                                                 seed: o.seed, panel: p, options: t)
            }
            let fm = InterestProjection.galleryFigure(points: gallery, panelTitles: titles, dataset: ds, title: "\(o.dataTitle) (\(which))", dpi: o.dpi)
            let pm = path("item-map-\(o.name).png"); try fm.save(pm); written.append(pm); log("wrote \(pm)")
        }

        // Distinctness for every seed that has both Base and Re4.
        if !common.isEmpty {
            var users = ds.users(in: .test)
            if let n = o.distinctUsers { users = sampleUsers(ds, count: n, seed: o.seed, minLength: 1) }
            var reports: [(variant: String, seed: Int, report: Distinctness.Report)] = []
            for s in common {
                for v in ["base", "re4"] {
                    let r = runs.first { $0.variant == v && $0.seed == s }!
                    let m = try model(r)
                    reports.append((v, s, Distinctness.report(checkpoint: r.checkpoint, model: m, dataset: ds, users: users, seed: o.seed)))
                }
            }
            let md = path("distinctness-\(o.name).md")
            let perCheckpoint = Distinctness.format(reports.map(\.report), as: "markdown")
            try AtomicFile.write("# Distinctness of interests: \(o.dataTitle)\n\n" + distinctnessMarkdown(reports, dataName: o.dataTitle, users: users.count)
                                 + "\n## Per checkpoint (mean [95 % bootstrap interval]; Δ against the first column)\n\n" + perCheckpoint + "\n", to: md)
            written.append(md)
            let keys = ["cos_U", "cos_Z", "attention_entropy", "positives", "retrieved_jaccard", "usage_entropy",
                        "coherence_margin", "category_purity"].filter { k in reports.allSatisfy { $0.report.value(k) != nil } }
            let fd = distinctnessFigure(reports, keys: keys, title: "\(o.dataTitle): distinctness of interests (bars = mean over test users, whiskers = 95 % bootstrap)", dpi: o.dpi)
            let pd = path("distinctness-\(o.name).png"); try fd.save(pd); written.append(pd); log("wrote \(md), \(pd)")
        }

        // Ablation: every variant present, grouped by metric.
        if Set(runs.map(\.variant)).count > 1 {
            let metrics = tableMetrics.filter { ["recall@20", "recall@50", "ndcg@50", "hitrate@50"].contains($0.key) }
            let seeds = variants.compactMap { v -> String? in
                let n = runs.filter { $0.variant == v.key }.count
                return n == 0 ? nil : "\(shortLabels[v.key] ?? v.key) \(n)"
            }.joined(separator: ", ")
            let within = o.ablationEpochs.map { " among the first \($0)" } ?? ""
            let fa = ablationFigure(runs, metrics: metrics, budget: o.ablationEpochs,
                                    title: "\(o.dataTitle): test metrics at the best validation epoch\(within) (seeds: \(seeds); whiskers: min–max over seeds)", dpi: o.dpi)
            let pa = path("ablation-\(o.name).png"); try fa.save(pa); written.append(pa); log("wrote \(pa)")
        }
        return written
    }
}
