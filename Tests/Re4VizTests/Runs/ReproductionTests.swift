import Foundation
import XCTest
import TestSupport
@testable import Re4Viz
@testable import Re4Core
import Plot

final class ReproductionTests: XCTestCase {
    /// A run folder with a hand-written log: `valid` and `test` Recall@50 per epoch
    /// (other metrics follow test Recall@50 scaled).
    func run(_ root: String, _ name: String, valid: [Double], test: [Double]) throws {
        let d = root + "/" + name
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        var recs: [EpochRecord] = []
        for e in valid.indices {
            var l = LossBreakdown(); l.total = 5; l.rec = 5
            let t = ["recall@20": test[e] / 2, "ndcg@20": test[e] / 3, "hitrate@20": test[e] * 4,
                     "recall@50": test[e], "ndcg@50": test[e] / 2, "hitrate@50": test[e] * 5]
            recs.append(EpochRecord(epoch: e + 1, seconds: 1, examplesPerSecond: 10, loss: l, valid: ["recall@50": valid[e]], test: t))
        }
        try EpochLog.write(recs, jsonl: d + "/log.jsonl", csv: d + "/log.csv")
    }

    func testBestEpochsAndTheResultsTableByHand() throws {
        let root = makeTempDir("repro")
        // Base seed 1 peaks on validation at epoch 2 (test 0.10), seed 2 at epoch 3 (test 0.14).
        try run(root, "x-base-s1", valid: [0.1, 0.3, 0.2], test: [0.5, 0.10, 0.9])
        try run(root, "x-base-s2", valid: [0.1, 0.2, 0.3], test: [0.5, 0.9, 0.14])
        // Re4: a tie at 0.3 keeps the earlier epoch (test 0.16).
        try run(root, "x-re4-s1", valid: [0.3, 0.3], test: [0.16, 0.9])
        let runs = try Reproduction.discover(in: root, prefix: "x")
        XCTAssertEqual(runs.map(\.variant), ["base", "base", "re4"])
        XCTAssertEqual(runs.map(\.best.epoch), [2, 3, 1])
        let md = Reproduction.resultsMarkdown(runs, dataName: "toy")
        // Base Recall@50: mean 0.12, sample std √((0.02² + 0.02²)/1) = 0.0283.
        XCTAssertTrue(md.contains("| Base | 2 | 2, 3 |"), md)
        XCTAssertTrue(md.contains("0.1200 ± 0.0283"), md)
        XCTAssertTrue(md.contains("| Re4 | 1 | 1 |"), md)
        // Re4 − Base on Recall@50: 0.16 − 0.12 = +0.04 (+33.3 %).
        XCTAssertTrue(md.contains("+0.0400 (+33.3%)"), md)
        XCTAssertTrue(md.contains("Re4's mean is above Base's on every metric. Every Re4 seed is above every Base seed"), md)
        XCTAssertTrue(md.contains("`standard` convention"))
        // With a 2-epoch budget, base-s2's epoch 3 is out of reach: its best is epoch 2 (test 0.9).
        XCTAssertEqual(runs.map { $0.best(within: 2)!.epoch }, [2, 2, 1])
        let budgeted = Reproduction.resultsMarkdown(runs, dataName: "toy", budget: 2)
        XCTAssertTrue(budgeted.contains("| Base | 2 | 2, 2 |") && budgeted.contains("among its first 2 epochs"), budgeted)
        XCTAssertTrue(budgeted.contains("0.5000 ± 0.5657"), "Recall@50 mean of 0.10 and 0.90: " + budgeted)
        let (m, s) = Reproduction.meanStd([1, 2, 3, 4])
        XCTAssertEqual(m, 2.5); XCTAssertEqual(s, (5.0 / 3).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(Reproduction.meanStd([7]).std, 0)
    }

    /// Nine models make a 2 × 2 grid of panels, three a single row, fourteen a column; the title says
    /// "3 seeds each" only when every model has three.
    func testAblationLayoutAndTitleFollowTheModels() throws {
        let root = makeTempDir("repro")
        let keys = Reproduction.variants.map(\.key)
        for k in keys { for s in 1...3 { try run(root, "x-\(k)-s\(s)", valid: [0.2], test: [0.1]) } }
        let all = try Reproduction.discover(in: root, prefix: "x")
        let metrics = Array(Reproduction.tableMetrics.prefix(4))
        let nine = Reproduction.ablationFigure(all.filter { Reproduction.variants.prefix(9).map(\.key).contains($0.variant) }, metrics: metrics, title: nil, dpi: 50)
        XCTAssertEqual([nine.rows, nine.columns], [2, 2])
        // Past ten models, one panel a row, and each bar its own colour.
        let every = Reproduction.ablationFigure(all, metrics: metrics, title: nil, dpi: 50)
        XCTAssertEqual([every.rows, every.columns], [4, 1])
        var colours: [String] = []
        for s in every.axes[0].series { if case .bars(_, _, _, let c, _, _, _) = s { colours.append("\(c)") } }
        XCTAssertEqual(colours.count, keys.count)
        XCTAssertEqual(Set(colours).count, keys.count, "no colour repeats")
        let three = Reproduction.ablationFigure(all.filter { ["base", "re4", "noct"].contains($0.variant) }, metrics: metrics, title: nil, dpi: 50)
        XCTAssertEqual([three.rows, three.columns], [1, 4])
        XCTAssertEqual(FigureSet.ablationTitle(all, dataTitle: "T", budget: nil),
                       "T: test metrics at the best validation epoch (3 seeds each; whiskers: min–max over seeds)")
        let uneven = all.filter { !($0.variant == "noct" && $0.seed > 1) }
        XCTAssertTrue(FigureSet.ablationTitle(uneven, dataTitle: "T", budget: 10)
            .hasPrefix("T: test metrics at the best validation epoch among the first 10 (seeds: Base 3, Re4 3, w/o ct 1, w/o att 3"))
    }

    func testTheTableSaysWhenRe4DoesNotWin() throws {
        let root = makeTempDir("repro")
        try run(root, "x-base-s1", valid: [0.3], test: [0.2])
        try run(root, "x-re4-s1", valid: [0.3], test: [0.1])
        let md = Reproduction.resultsMarkdown(try Reproduction.discover(in: root, prefix: "x"), dataName: "toy")
        XCTAssertTrue(md.contains("Re4 does not beat Base on any metric here."), md)
    }

    func testDiscoveryIgnoresOtherFoldersAndExplainsWhatIsMissing() throws {
        let root = makeTempDir("repro")
        try run(root, "x-re4-s2", valid: [0.2], test: [0.1])
        for other in ["x-unknown-s1", "y-re4-s1", "x-re4-sX", "x-base-s1"] {   // x-base-s1 has no log
            try FileManager.default.createDirectory(atPath: root + "/" + other, withIntermediateDirectories: true)
        }
        try run(root, "y-base-s1", valid: [0.2], test: [0.1])
        let runs = try Reproduction.discover(in: root, prefix: "x")
        XCTAssertEqual(runs.map { "\($0.variant)-\($0.seed)" }, ["re4-2"])
        XCTAssertThrowsError(try Reproduction.discover(in: root, prefix: "z")) {
            XCTAssertTrue($0.localizedDescription.contains("no runs named z-<variant>-s<seed>"), $0.localizedDescription)
        }
        XCTAssertThrowsError(try Reproduction.discover(in: root + "/absent", prefix: "x"))
        try run(root, "w-re4-s1", valid: [.nan], test: [0.1])
        XCTAssertThrowsError(try Reproduction.discover(in: root, prefix: "w")) {
            XCTAssertTrue($0.localizedDescription.contains("no epoch with a validation Recall@50"), $0.localizedDescription)
        }
    }

    /// A run still training (a config planning more epochs, patience not spent)
    /// is left out and named; `includeUnfinished` keeps it; all unfinished is refused by name.
    func testUnfinishedRunsAreLeftOutAndNamed() throws {
        let root = makeTempDir("repro")
        func config(_ name: String, epochs: Int, patience: Int?) throws {
            var c = RunConfig(model: ModelConfig(), training: .init(), data: DataSource(data: "toy"),
                              dataset: .init(name: "toy", fingerprint: "0"))
            c.sessions = [.init(firstEpoch: 1, epochs: epochs, patience: patience, threads: 1, keepEveryEpoch: false)]
            try c.json().write(to: URL(fileURLWithPath: root + "/" + name + "/config.json"))
        }
        try run(root, "x-base-s1", valid: [0.1, 0.3, 0.2], test: [0.5, 0.1, 0.9])
        try config("x-base-s1", epochs: 3, patience: nil)           // reached its last epoch
        try run(root, "x-re4-s1", valid: [0.3, 0.2], test: [0.16, 0.9])
        try config("x-re4-s1", epochs: 12, patience: 1)             // patience ran out at epoch 2
        try run(root, "x-re4-s2", valid: [0.1, 0.2], test: [0.1, 0.2])
        try config("x-re4-s2", epochs: 12, patience: 3)             // still training
        var lines: [String] = []
        let runs = try Reproduction.discover(in: root, prefix: "x") { lines.append($0) }
        XCTAssertEqual(runs.map { "\($0.variant)-\($0.seed)" }, ["base-1", "re4-1"])
        XCTAssertEqual(lines, ["x-re4-s2: epoch 2 of 12, not finished; left out until it finishes"])
        let all = try Reproduction.discover(in: root, prefix: "x", includeUnfinished: true) { lines.append($0) }
        XCTAssertEqual(all.map { "\($0.variant)-\($0.seed)" }, ["base-1", "re4-1", "re4-2"])
        XCTAssertTrue(lines.last!.hasSuffix("included (--include-unfinished)"), lines.last!)
        try run(root, "y-re4-s1", valid: [0.1], test: [0.1])
        try config("y-re4-s1", epochs: 12, patience: 3)
        XCTAssertThrowsError(try Reproduction.discover(in: root, prefix: "y")) {
            XCTAssertTrue($0.localizedDescription.contains("every y run is still training (y-re4-s1)"), $0.localizedDescription)
        }
    }

    func testAblationFigureHasOnePanelPerMetricAndOneBarPerVariant() throws {
        let root = makeTempDir("repro")
        for (name, v) in [("x-base-s1", 0.1), ("x-base-s2", 0.12), ("x-re4-s1", 0.15), ("x-nocs-s1", 0.13)] {
            try run(root, name, valid: [0.2], test: [v])
        }
        let runs = try Reproduction.discover(in: root, prefix: "x")
        let fig = Reproduction.ablationFigure(runs, metrics: [("recall@50", "Recall@50"), ("hitrate@50", "HR@50")], title: nil, dpi: 50)
        XCTAssertEqual(fig.axes.count, 2)
        var heights: [Double] = [], whiskers = 0
        for s in fig.axes[0].series {
            if case .bars(_, let h, _, _, let lo, _, _) = s { heights += h; whiskers += lo!.filter(\.isFinite).count }
        }
        XCTAssertEqual(heights, [0.11, 0.15, 0.13].map { $0 }, "Base is the mean of its seeds; variants in display order")
        XCTAssertEqual(whiskers, 1, "only Base has several seeds")
        XCTAssertEqual(fig.axes[0].xTickLabels?.map(\.1), ["Base", "Re4", "w/o cs"])
    }

    /// Each variant meets its own backbone's Base over the seeds both have; the
    /// numbers are those of `Comparison` on the same tables, by hand.
    func testPairedComparisonsFollowTheBackboneAndTheSharedSeeds() throws {
        let root = makeTempDir("repro")
        for name in ["x-base-s1", "x-base-s2", "x-re4-s1", "x-re4-s2", "x-noct-s2", "x-sa-re4-s1", "x-dr-base-s1", "x-dr-re4-s1"] {
            try run(root, name, valid: [0.2], test: [0.1])
        }
        let runs = try Reproduction.discover(in: root, prefix: "x")
        // Per-user tables: Base has 0.1 for everyone; a variant adds its offset for user u1 only.
        let offset: [String: Double] = ["base": 0, "re4": 0.3, "noct": -0.2, "sa-re4": 0.5, "dr-base": 0, "dr-re4": 0.1]
        func table(_ r: Reproduction.Run) -> [String: [String: Double]] {
            var t: [String: [String: Double]] = [:]
            for (i, u) in ["u1", "u2", "u3"].enumerated() {
                t[u] = Dictionary(uniqueKeysWithValues: Reproduction.tableMetrics.map { ($0.key, 0.1 + (i == 0 ? offset[r.variant]! : 0) + 0.01 * Double(r.seed)) })
            }
            return t
        }
        let paired = try Reproduction.pairedComparisons(runs, perUser: table, resamples: 200)
        XCTAssertEqual(paired.map(\.variant), ["re4", "noct", "dr-re4"], "sa-re4 has no SA Base")
        XCTAssertEqual(paired.map(\.baseline), ["base", "base", "dr-base"])
        XCTAssertEqual(paired.map(\.seeds), [[1, 2], [2], [1]])
        XCTAssertEqual(paired[0].row("recall@50")!.difference, 0.3 / 3, accuracy: 1e-12)
        XCTAssertEqual(paired[1].row("recall@50")!.difference, -0.2 / 3, accuracy: 1e-12)
        XCTAssertNotNil(paired[0].row("recall@50")!.hierarchical, "two seeds: the two-level interval")
        XCTAssertNil(paired[1].row("recall@50")!.hierarchical)
        let md = Reproduction.resultsMarkdown(runs, dataName: "X", paired: paired)
        let re4Row = try XCTUnwrap(md.split(separator: "\n").first { $0.hasPrefix("| Re4 |") })
        XCTAssertTrue(re4Row.contains("+0.1000 ["), String(re4Row))
        XCTAssertTrue(md.contains("Δ Recall@50 vs its Base"), md)
        XCTAssertTrue(md.contains("Paired over the same 3 test users and 2 seeds"), md)
        let cells = { (l: Substring) in l.split(separator: "|", omittingEmptySubsequences: false).count }
        let header = cells(md.split(separator: "\n")[0])
        for line in md.split(separator: "\n") where line.hasPrefix("|") { XCTAssertEqual(cells(line), header, "every row has every column: \(line)") }
        // A small Holm p is written with its exponent, never as 0.000.
        XCTAssertEqual([0.0005, 0.00008, 0.001, 0.0331, 1].map(Reproduction.pText), ["5e-04", "8e-05", "0.001", "0.033", "1.000"])
    }

    /// The collapse grid's variants: REMI paired with its backbone's Base (the Δ
    /// column) and with Re4 on that backbone (a second column); the N(0, 0.1²)
    /// Re4 with the N(0, 0.1²) Base, which meets the N(0, 1) Base.
    func testREMIRowsArePairedWithTheirBaseAndWithTheirRe4() throws {
        let root = makeTempDir("repro")
        for name in ["x-base-s1", "x-std01-base-s1", "x-std01-re4-s1", "x-dr-base-s1", "x-dr-re4-s1", "x-dr-remi-s1", "x-dr-re4-remi-s1"] {
            try run(root, name, valid: [0.2], test: [0.1])
        }
        let runs = try Reproduction.discover(in: root, prefix: "x")
        XCTAssertEqual(runs.map(\.variant), ["base", "dr-base", "dr-re4", "std01-base", "std01-re4", "dr-remi", "dr-re4-remi"])
        let offset: [String: Double] = ["base": 0, "std01-base": 0.2, "std01-re4": 0.3, "dr-base": 0, "dr-re4": 0.1, "dr-remi": 0.4, "dr-re4-remi": -0.3]
        func table(_ r: Reproduction.Run) -> [String: [String: Double]] {
            var t: [String: [String: Double]] = [:]
            for (i, u) in ["u1", "u2", "u3"].enumerated() {
                t[u] = Dictionary(uniqueKeysWithValues: Reproduction.tableMetrics.map { ($0.key, 0.1 + (i == 0 ? offset[r.variant]! : 0)) })
            }
            return t
        }
        let paired = try Reproduction.pairedComparisons(runs, perUser: table, resamples: 200)
        XCTAssertEqual(paired.map { "\($0.variant)/\($0.baseline)" },
                       ["dr-re4/dr-base", "std01-base/base", "std01-re4/std01-base", "dr-remi/dr-base", "dr-remi/dr-re4", "dr-re4-remi/dr-base", "dr-re4-remi/dr-re4"])
        XCTAssertEqual(paired.map(\.isPrimary), [true, true, true, true, false, true, false])
        // Differences by hand: the offsets' difference over three users.
        let d = paired.map { $0.row("recall@50")!.difference }
        for (got, want) in zip(d, [0.1, 0.2, 0.1, 0.4, 0.3, -0.3, -0.4]) { XCTAssertEqual(got, want / 3, accuracy: 1e-12) }
        let md = Reproduction.resultsMarkdown(runs, dataName: "X", paired: paired)
        XCTAssertTrue(md.contains("Δ Recall@50 vs its Re4"), md)
        let remi = try XCTUnwrap(md.split(separator: "\n").first { $0.hasPrefix("| ComiRec-DR + REMI |") }).split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertTrue(remi[remi.count - 3].hasPrefix("+0.1333 ["), "vs DR Base: \(remi)")
        XCTAssertTrue(remi[remi.count - 1].hasPrefix("+0.1000 ["), "vs DR + Re4: \(remi)")
        let dr = try XCTUnwrap(md.split(separator: "\n").first { $0.hasPrefix("| ComiRec-DR + Re4 |") }).split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertEqual(dr[dr.count - 1], "", "a variant without a second baseline leaves the column empty")
        let cells = { (l: Substring) in l.split(separator: "|", omittingEmptySubsequences: false).count }
        let header = cells(md.split(separator: "\n")[0])
        for line in md.split(separator: "\n") where line.hasPrefix("|") { XCTAssertEqual(cells(line), header, "every row has every column: \(line)") }
        XCTAssertTrue(Reproduction.pairedMarkdown(paired).contains("### ComiRec-DR + REMI against ComiRec-DR + Re4 (seeds 1)"))
    }

    /// Runs that logged distinctness each epoch get a figure per encoder; runs without it none.
    /// (Single variants per backbone: no paired comparison, which needs per-user files.)
    func testDistinctnessByEpochFiguresPerEncoder() throws {
        let root = makeTempDir("repro")
        for (name, logged) in [("x-std01-re4-s1", true), ("x-std01-re4-s2", true), ("x-dr-remi-s1", true), ("x-sa-base-s1", false)] {
            let d = root + "/" + name
            try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
            let recs = (1...3).map { e -> EpochRecord in
                var l = LossBreakdown(); l.total = 5; l.rec = 5
                var r = EpochRecord(epoch: e, seconds: 1, examplesPerSecond: 10, loss: l, valid: ["recall@50": 0.1 * Double(e)],
                                    test: Dictionary(uniqueKeysWithValues: Reproduction.tableMetrics.map { ($0.key, 0.1) }))
                if logged { for (i, k) in EpochDistinctness.keys.enumerated() { r.extra[k] = 0.1 * Double(i + e) } }
                return r
            }
            try EpochLog.write(recs, jsonl: d + "/log.jsonl", csv: d + "/log.csv")
        }
        let out = root + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var o = FigureSet.FigureOptions(runs: root, prefix: "x", name: "n", dataTitle: "X", out: out)
        o.dpi = 40
        let files = try FigureSet.run(o, data: DataRequest(), context: AnalysisContext(threads: 2)).map { URL(fileURLWithPath: $0).lastPathComponent }
        XCTAssertTrue(files.contains("distinctness-by-epoch-n.png") && files.contains("distinctness-by-epoch-n-dr.png"), "\(files)")
        XCTAssertFalse(files.contains("distinctness-by-epoch-n-sa.png"), "SA Base logged none: \(files)")
        let png = try XCTUnwrap(FileManager.default.contents(atPath: out + "/distinctness-by-epoch-n.png"))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
    }

    /// `views` over models given one by one: a column per label, models sharing a label
    /// counted as seeds of one column (one model twice: equal scores, spread 0).
    func testViewsOverGivenModelsHaveAColumnPerLabel() throws {
        let dir = makeTempDir("views")
        var spec = SyntheticSpec(); spec.users = 120; spec.items = 1_000; spec.categories = 6; spec.maxInterests = 3; spec.seed = 2
        spec.minLength = 20; spec.maxLength = 40
        try Synthetic.write(spec, to: dir)
        let ds = try DataSource(data: dir).load()
        let a = smallModel(ds, seed: 1), b = smallModel(ds, seed: 2)
        let inputs = ["a", "b", "b2"].enumerated().map { i, n in
            ModelInput(given: "/m/\(n)", path: "/m/\(n)", kind: .safetensors, runFolder: nil, label: i == 0 ? "A" : "B")
        }
        let opened = OpenedModels(dataset: ds, models: [a, b, b], inputs: inputs, source: nil)
        var r = ViewStudy.Request(runs: "", prefix: "")
        r.users = 4; r.map.tsne.iterations = 60; r.map.tsne.earlyIterations = 30; r.map.tsne.perplexity = 5; r.layouts = [.panels, .family]; r.spaces = [.u]
        let given = try ViewStudy.run(models: opened, r, context: AnalysisContext(threads: 2))
        XCTAssertEqual(given.columns.map(\.label), ["A", "B"])
        XCTAssertEqual(given.scores.map { "\($0.variant)\($0.seed)" }, ["A1", "A1", "B1", "B1", "B2", "B2"])
        XCTAssertTrue(given.scores.allSatisfy { $0.value != nil && $0.model != nil }, "planted data: every picture scored")
        for layout in ["panels", "family"] {
            let b = given.scores.filter { $0.variant == "B" && $0.layout == layout }
            XCTAssertEqual(b[0].value, b[1].value, "one model twice, one score: \(layout)")
        }
        let md = ViewStudy.markdown(given)
        XCTAssertTrue(md.contains("| layout | space | A truth | B truth | A model | B model |"), md)
        XCTAssertTrue(md.contains("± 0.000 (2)"), "B is two equal models: \(md)")
    }

    /// End to end on planted data with real checkpoints: every file is written,
    /// and a second run gives the same bytes.
    func testMakeFiguresWritesEverythingAndRepeatsByteForByte() throws {
        let root = makeTempDir("repro")
        let (ds, request) = try plantedCSV(in: root)
        for (variant, seed) in [("base", 1), ("re4", 1), ("base", 2), ("re4", 2), ("noct", 1), ("sa-base", 1), ("sa-re4", 1)] {
            let name = "p-\(variant)-s\(seed)"
            try run(root, name, valid: [0.1, 0.2], test: [0.1, 0.2 + 0.01 * Double(seed)])
            var prov = Checkpoint.Provenance(); prov.datasetFingerprint = ds.fingerprint; prov.datasetName = ds.name
            try Checkpoint.save(smallModel(ds, seed: UInt64(seed * 10 + variant.count)), provenance: prov, path: root + "/\(name)/best.safetensors")
        }
        var written: [[String: Data]] = []
        for attempt in 0..<2 {
            let out = root + "/out\(attempt)"
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            var o = FigureSet.FigureOptions(runs: root, prefix: "p", name: "planted", dataTitle: "Planted", out: out)
            o.dpi = 40; o.users = 2
            let log = LineLog()
            let files = try FigureSet.run(o, data: request, context: AnalysisContext(threads: 2, progress: { log.append($0) }))
            XCTAssertEqual(Set(files.map { URL(fileURLWithPath: $0).lastPathComponent }),
                           ["results.md", "fig3-curves-planted.png", "fig3-curves-planted-sa.png", "fig4-tsne-planted.png", "fig4-tsne-planted.csv",
                            "item-map-planted.png", "fig4-map-planted.png", "distinctness-planted.md", "distinctness-planted.png", "ablation-planted.png"])
            XCTAssertTrue(log.lines[0].contains("base (seeds 1,2)"), log.lines[0])
            // The logs' test Recall@50 at the best validation epoch: Base 0.21, 0.22; Re4 0.21, 0.22 → level.
            XCTAssertTrue(log.lines.last!.hasPrefix("summary: on Planted, Re4's mean test Recall@50 (0.2150, 2 seeds) is level with Base's (0.2150, 2 seeds)"), log.lines.last!)
            written.append(Dictionary(uniqueKeysWithValues: files.map { (URL(fileURLWithPath: $0).lastPathComponent, FileManager.default.contents(atPath: $0)!) }))
        }
        XCTAssertEqual(written[0], written[1], "same runs → same bytes")
        let results = String(decoding: written[0]["results.md"]!, as: UTF8.self)
        XCTAssertTrue(results.contains("## Paired comparisons") && results.contains("### Re4 against Base (seeds 1, 2)"), results)
        // One table: the ablation run is a row of it, paired with Base, and has no table of its own.
        XCTAssertEqual(results.components(separatedBy: "| model | seeds |").count, 2, results)
        XCTAssertFalse(results.contains("## Ablation"), results)
        let rowNames = results.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| model") }
            .map { String($0.split(separator: "|")[0].trimmingCharacters(in: .whitespaces)) }
        XCTAssertEqual(rowNames.prefix(4), ["Base", "Re4", "Re4 − Base (means)", "Re4 w/o Re-contrast"], results)
        XCTAssertTrue(results.contains("### Re4 w/o Re-contrast against Base (seeds 1)"), results)
        let md = String(decoding: written[0]["distinctness-planted.md"]!, as: UTF8.self)
        XCTAssertTrue(md.contains("| cos_U |") && md.contains("of 2 |"), md)
        // The other backbone's pair gets a section of its own, over the one seed it has; the definitions come once.
        let sa = try XCTUnwrap(md.components(separatedBy: "## ComiRec-SA + Re4 against ComiRec-SA\n").dropFirst().first, md)
        XCTAssertTrue(sa.hasPrefix("\n| statistic | ComiRec-SA | ComiRec-SA + Re4 | Δ (ComiRec-SA + Re4 − ComiRec-SA) |") && sa.contains("of 1 |"), sa)
        XCTAssertEqual(md.components(separatedBy: "Definitions:").count, 2, md)
        XCTAssertThrowsError(try FigureSet.run(FigureSet.FigureOptions(runs: root, prefix: "p", name: "n", dataTitle: "t",
                                                                       out: root + "/missing"), data: request, context: AnalysisContext(threads: 2)))
    }
}
