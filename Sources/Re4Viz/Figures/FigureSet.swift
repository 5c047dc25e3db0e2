import Foundation
import Plot
import Re4Core
import TSNE

/// `re4-viz figures` as one job: every table and figure of the reproduction
/// from a folder of runs named `<prefix>-<variant>-s<seed>` (`Reproduction`):
/// results.md, Figure 3, Figure 4 and the item map (through `InterestMap`),
/// the distinctness table and bars, the ablation panels.
public enum FigureSet {
    public struct FigureOptions: Sendable {
        public var runs: String
        public var prefix: String
        /// File-name suffix, e.g. `movielens` → `fig3-curves-movielens.png`.
        public var name: String
        /// Data set title in captions, e.g. "MovieLens-1M".
        public var dataTitle: String
        public var out: String
        public var dpi = 200.0
        /// Font size (and, when set, size and labels) for every figure of the set.
        public var style = FigureStyle()
        public var users = 6
        /// Users for the distinctness statistics (nil = all test users).
        public var distinctUsers: Int? = nil
        /// Compare the ablation at this many epochs: every run's best validation epoch
        /// among its first `ablationEpochs` (nil = each run's own best).
        public var ablationEpochs: Int? = nil
        /// Keep runs whose training is not over (`Reproduction.discover`).
        public var includeUnfinished = false
        /// A folder of archived runs (`re4 archive`, `RunArchive`; a checkpoint only when kept with it), used
        /// where `runs` has no run of the same name.
        public var archive: String? = nil
        public init(runs: String, prefix: String, name: String, dataTitle: String, out: String) {
            self.runs = runs; self.prefix = prefix; self.name = name; self.dataTitle = dataTitle; self.out = out
        }
    }

    /// Writes every table and figure of the reproduction that the runs allow and
    /// returns the paths written (each atomically). `log` receives one line per step.
    /// - Parameter data: what the command line said about the data; the runs'
    ///   configs supply the rest.
    /// Seeds (user samples, t-SNE, bootstrap) and threads from `context`; each file written is said on its progress.
    public static func run(_ o: FigureOptions, data: DataRequest, context c: AnalysisContext) throws -> [String] {
        let log = c.progress
        guard FileManager.default.fileExists(atPath: o.out) else { throw IOError.missingFolder(path: o.out, folder: o.out) }
        let runs = try Reproduction.discover(in: o.runs, archive: o.archive, prefix: o.prefix, includeUnfinished: o.includeUnfinished, log: log)
        // Runs kept without their checkpoints (archived without --checkpoint) give tables and curves;
        // Figure 4, the item map and distinctness need models, and the data with them.
        let modelRuns = runs.filter(\.hasCheckpoint)
        let opened: (source: DataSource, dataset: Dataset)? = modelRuns.isEmpty ? nil
            : try RunData.openData(for: modelRuns.map(\.checkpoint), request: data)
        let variants = Reproduction.variants, tableMetrics = Reproduction.tableMetrics
        var o = o
        if o.dataTitle.isEmpty { o.dataTitle = opened?.dataset.name ?? o.prefix }
        let kept = runs.filter { !$0.hasCheckpoint }.map { URL(fileURLWithPath: $0.folder).lastPathComponent }
        if !kept.isEmpty { log("without checkpoints (tables and curves only): " + kept.joined(separator: ", ")) }
        log("found \(runs.count) runs: " + variants.compactMap { v in
            let s = runs.filter { $0.variant == v.key }.map(\.seed)
            return s.isEmpty ? nil : "\(v.key) (seeds \(s.map(String.init).joined(separator: ",")))"
        }.joined(separator: ", "))
        var written: [String] = []
        // Every file is staged and all are published at the end: a failure leaves the folder as it was.
        let outputs = try OutputSet(inputs: modelRuns.map(\.checkpoint) + runs.map { RunFolder($0.folder).logJSONL })
        func path(_ file: String) -> String { o.out + "/" + file }
        // Each checkpoint is read once (the seed-1 pair serves Figure 4, the item map and distinctness).
        var models: [String: MultiInterestModel] = [:]
        func model(_ r: Reproduction.Run) throws -> MultiInterestModel {
            if let m = models[r.checkpoint] { return m }
            guard let (source, ds) = opened, r.hasCheckpoint else {
                throw VizError.badInput("\(r.folder): no \(RunFolder.bestName) and no per-user file of its best epoch \(r.best.epoch)")
            }
            let m = try RunData.load(r.checkpoint, dataset: ds, source: source, allowMismatch: false).0
            models[r.checkpoint] = m
            return m
        }

        let results = path("results.md")
        // Every variant against its backbone's Base, paired over test users and seeds (best checkpoints).
        var perUser: [String: [String: [String: Double]]] = [:]
        let paired = try Reproduction.pairedComparisons(runs, perUser: { r in
            if let t = perUser[r.checkpoint] { return t }
            // The best epoch's per-user file when the run kept one, else its best checkpoint evaluated.
            let t = try r.bestPerUser.map(Reproduction.perUserTest(file:))
                ?? Reproduction.perUserTest(model: try model(r), dataset: opened!.dataset, threads: c.threads)
            perUser[r.checkpoint] = t
            return t
        }, seed: c.seed)
        if !paired.isEmpty { log("paired comparisons: " + paired.map { "\($0.variant) vs \($0.baseline) (\(seedCount($0.seeds.count)))" }.joined(separator: ", ")) }
        // One table of every model, each paired with its backbone's Base; only a budgeted
        // ablation (its runs at another epoch) gets a table of its own.
        let ablations = ["noct", "noatt", "nocs"]
        let main = o.ablationEpochs == nil ? runs : runs.filter { !ablations.contains($0.variant) }
        var text = "# Results: \(o.dataTitle)\n\n" + Reproduction.resultsMarkdown(main, dataName: o.dataTitle, paired: paired)
        if let budget = o.ablationEpochs, main.count < runs.count {
            text += "\n## Ablation (\(budget)-epoch budget)\n\n" + Reproduction.resultsMarkdown(runs, dataName: o.dataTitle, budget: budget)
        }
        if !paired.isEmpty { text += "\n## Paired comparisons (best checkpoints, test users)\n\n" + Reproduction.pairedMarkdown(paired) }
        try outputs.stage(results, data: Data(text.utf8))
        written.append(results)

        // Figure 3: test Recall@50 and HR@50 against epoch, Base vs Re4, seeds as bands;
        // then the same for each other backbone that has runs (fig3-curves-NAME-sa.png, -dr.png).
        for b in Reproduction.backbones {
            let curveRuns = runs.filter { $0.variant == b.base || $0.variant == b.re4 }.map {
                Curves.Run(label: $0.label, path: RunFolder($0.folder).logJSONL, records: $0.records.sorted { $0.epoch < $1.epoch })
            }
            guard !curveRuns.isEmpty else { continue }
            let f = try Curves.figure(runs: curveRuns, metrics: ["test_recall@50", "test_hitrate@50"],
                                      title: "\(o.dataTitle)\(b.key.isEmpty ? "" : ", " + b.name): test metrics by epoch (band: min–max over seeds; ★: best validation epoch)",
                                      dpi: o.dpi)
            let p = path("fig3-curves-\(o.name)\(b.key.isEmpty ? "" : "-" + b.key).png")
            try outputs.stage(p) { [f] in try f.styled(o.style).render(as: p, into: $0) }; written.append(p); log("drew \(p)")
        }

        // Distinctness by epoch (runs trained with --log-distinctness), one figure per encoder:
        // every variant that logged it, seeds as bands (distinctness-by-epoch-NAME[-sa|-dr].png).
        let encoders: [(key: String, name: String, member: (String) -> Bool)] = [
            ("", "re4 encoder", { !$0.hasPrefix("sa-") && !$0.hasPrefix("dr-") }),
            ("sa", "ComiRec-SA", { $0.hasPrefix("sa-") }), ("dr", "ComiRec-DR", { $0.hasPrefix("dr-") }),
        ]
        for e in encoders {
            let logged = runs.filter { r in e.member(r.variant) && r.records.contains { $0.extra["dist_cos_U"] != nil } }
            guard !logged.isEmpty else { continue }
            let keys = EpochDistinctness.keys.filter { k in logged.allSatisfy { r in r.records.allSatisfy { $0.extra[k] != nil } } }
            let curveRuns = logged.map { Curves.Run(label: $0.label, path: RunFolder($0.folder).logJSONL, records: $0.records.sorted { $0.epoch < $1.epoch }) }
            let f = try Curves.figure(runs: curveRuns, metrics: keys,
                                      title: "\(o.dataTitle), \(e.name): distinctness by epoch on \(EpochDistinctness.sampleSize) fixed validation users (band: min–max over seeds; ★: best validation epoch)",
                                      dpi: o.dpi)
            let p = path("distinctness-by-epoch-\(o.name)\(e.key.isEmpty ? "" : "-" + e.key).png")
            try outputs.stage(p) { [f] in try f.styled(o.style).render(as: p, into: $0) }; written.append(p); log("drew \(p)")
        }

        // The Base | Re4 pair of the lowest seed both have: Figure 4, the item map, distinctness.
        let baseSeeds = Set(modelRuns.filter { $0.variant == "base" }.map(\.seed)), re4Seeds = Set(modelRuns.filter { $0.variant == "re4" }.map(\.seed))
        let common = baseSeeds.intersection(re4Seeds).sorted()
        if let s = common.first, let ds = opened?.dataset {
            let pair = ["base", "re4"].map { v in runs.first { $0.variant == v && $0.seed == s }! }
            let pairPanels = try pair.map { Panel(model: try model($0), label: $0.label, checkpoint: $0.checkpoint) }
            let which = "seed \(s); " + pair.map { "\($0.label) epoch \($0.best.epoch)" }.joined(separator: ", ")
            var req = InterestMap.Request(users: sampleUsers(ds, count: o.users, seed: c.seed))
            req.dpi = o.dpi
            req.title = "\(o.dataTitle) (\(which)): the same test users' interests (★) and attended items (●)"
            let f4 = try InterestMap.run(panels: pairPanels, dataset: ds, request: req, context: c)
            let p4 = path("fig4-tsne-\(o.name).png"); try outputs.stage(p4) { try f4.figure.styled(o.style).render(as: p4, into: $0) }; written.append(p4); log("drew \(p4)")
            let c4 = path("fig4-tsne-\(o.name).csv")
            try outputs.stage(c4, data: Data(f4.csv.utf8)); written.append(c4)
            req.kind = .items; req.title = "\(o.dataTitle) (\(which))"
            let fm = try InterestMap.run(panels: pairPanels, dataset: ds, request: req, context: c)
            let pm = path("item-map-\(o.name).png"); try outputs.stage(pm) { try fm.figure.styled(o.style).render(as: pm, into: $0) }; written.append(pm); log("drew \(pm)")
            // Figure 4 on the item map: the same users, their interests placed on each gallery's t-SNE.
            req.kind = .users; req.layout = .map
            req.title = "\(o.dataTitle) (\(which))"
            let f4m = try InterestMap.run(panels: pairPanels, dataset: ds, request: req, context: c)
            let p4m = path("fig4-map-\(o.name).png"); try outputs.stage(p4m) { try f4m.figure.styled(o.style).render(as: p4m, into: $0) }; written.append(p4m); log("drew \(p4m)")
        }

        var summaryReports: [(variant: String, seed: Int, report: Distinctness.Report)] = []
        // Distinctness for every seed that has both Base and Re4; then the same for each
        // other backbone's Base and + Re4 pair, as further sections of the table.
        if !common.isEmpty, let ds = opened?.dataset {
            var users = ds.users(in: .test)
            if let n = o.distinctUsers { users = sampleUsers(ds, count: n, seed: c.seed, minLength: 1) }
            typealias Reports = [(variant: String, seed: Int, report: Distinctness.Report)]
            func reports(_ a: String, _ b: String, seeds: [Int]) throws -> Reports {
                try seeds.flatMap { s in try [a, b].map { v in
                    let r = runs.first { $0.variant == v && $0.seed == s }!
                    let name = URL(fileURLWithPath: r.checkpoint).deletingLastPathComponent().lastPathComponent + "/" + URL(fileURLWithPath: r.checkpoint).lastPathComponent
                    return (v, s, Distinctness.report(checkpoint: name, model: try model(r), dataset: ds, users: users,
                                                      seed: c.seed, threads: c.threads))
                } }
            }
            let main = try reports("base", "re4", seeds: common)
            summaryReports = main
            var text = "# Distinctness of interests: \(o.dataTitle)\n\n"
                + Reproduction.distinctnessMarkdown(main, dataName: o.dataTitle, users: users.count)
            var all = main
            for (a, b) in Reproduction.backbones.filter({ !$0.key.isEmpty }).map({ ($0.base, $0.re4) }) {
                let seeds = Set(modelRuns.filter { $0.variant == a }.map(\.seed)).intersection(modelRuns.filter { $0.variant == b }.map(\.seed)).sorted()
                guard !seeds.isEmpty else { continue }
                let more = try reports(a, b, seeds: seeds)
                let label = { (k: String) in Reproduction.variants.first { $0.key == k }!.label }
                text += "\n## \(label(b)) against \(label(a))\n\n" + Reproduction.distinctnessMarkdown(more, dataName: o.dataTitle, users: users.count, definitions: false)
                all += more
            }
            let md = path("distinctness-\(o.name).md")
            let perCheckpoint = Distinctness.format(all.map(\.report), as: .markdown)
            try outputs.stage(md, data: Data((text + "\n## Per checkpoint (mean [95 % bootstrap interval]; Δ against the first column)\n\n"
                                              + perCheckpoint + "\n").utf8))
            written.append(md)
            // Every statistic the reports carry, in the definitions' order.
            let keys = Distinctness.definitions.map(\.0).filter { k in main.allSatisfy { $0.report.value(k) != nil } }
            let fd = Reproduction.distinctnessFigure(main, keys: keys, title: "\(o.dataTitle): distinctness of interests (bars = mean over test users, whiskers = 95 % bootstrap)", dpi: o.dpi)
            let pd = path("distinctness-\(o.name).png"); try outputs.stage(pd) { [fd] in try fd.styled(o.style).render(as: pd, into: $0) }; written.append(pd); log("drew \(md), \(pd)")
        }

        // Ablation: every variant present, grouped by metric.
        if Set(runs.map(\.variant)).count > 1 {
            let metrics = tableMetrics.filter { ["recall@20", "recall@50", "ndcg@50", "hitrate@50"].contains($0.key) }
            let fa = Reproduction.ablationFigure(runs, metrics: metrics, budget: o.ablationEpochs,
                                                 title: ablationTitle(runs, dataTitle: o.dataTitle, budget: o.ablationEpochs), dpi: o.dpi)
            let pa = path("ablation-\(o.name).png"); try outputs.stage(pa) { [fa] in try fa.styled(o.style).render(as: pa, into: $0) }; written.append(pa); log("drew \(pa)")
        }
        try outputs.commit()
        log("summary: " + summary(runs, reports: summaryReports, dataTitle: o.dataTitle))
        return written
    }

    /// One sentence on what the runs show, whatever it is: test Recall@50 of
    /// Base and Re4 at their best validation epochs, and, on planted data, the
    /// share of planted interests each recovers.
    static func summary(_ runs: [Reproduction.Run], reports: [(variant: String, seed: Int, report: Distinctness.Report)],
                        dataTitle: String) -> String {
        func mean(_ v: [Double]) -> Double { v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count) }
        func r50(_ v: String) -> [Double] { runs.filter { $0.variant == v }.compactMap { $0.best.test["recall@50"] } }
        let b = r50("base"), r = r50("re4")
        guard !b.isEmpty, !r.isEmpty else { return "\(dataTitle): Base and Re4 runs are both needed for a comparison." }
        let verdict = mean(r) > mean(b) ? "above" : (mean(r) < mean(b) ? "below" : "level with")
        var s = String(format: "on %@, Re4's mean test Recall@50 (%.4f, %@) is %@ Base's (%.4f, %@)",
                       dataTitle, mean(r), seedCount(r.count), verdict, mean(b), seedCount(b.count))
        let rec = { (v: String) in reports.filter { $0.variant == v }.compactMap { $0.report.value("recovered_attended")?.mean } }
        let rb = rec("base"), rr = rec("re4")
        if !rb.isEmpty, !rr.isEmpty {
            s += String(format: ", and its interests recover %.0f %% of the planted interests from attention against Base's %.0f %%",
                        100 * mean(rr), 100 * mean(rb))
        }
        return s + "."
    }

    /// The ablation figure's title: "3 seeds each" when every model has the same number, else each one's count.
    static func ablationTitle(_ runs: [Reproduction.Run], dataTitle: String, budget: Int?) -> String {
        let counts = Reproduction.variants.compactMap { v -> (String, Int)? in
            let n = runs.filter { $0.variant == v.key }.count
            return n == 0 ? nil : (Reproduction.shortLabels[v.key] ?? v.key, n)
        }
        let seeds = Set(counts.map(\.1)).count == 1 ? "\(seedCount(counts[0].1)) each"
            : "seeds: " + counts.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        let within = budget.map { " among the first \($0)" } ?? ""
        return "\(dataTitle): test metrics at the best validation epoch\(within) (\(seeds); whiskers: min–max over seeds)"
    }

    /// "1 seed", "3 seeds".
    static func seedCount(_ n: Int) -> String { "\(n) seed" + (n == 1 ? "" : "s") }
}
