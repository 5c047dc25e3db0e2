import Foundation
import XCTest
import TestSupport
@testable import Re4Viz
import Re4Core
import Plot

final class CurvesTests: XCTestCase {
    /// A log written by hand in the trainer's format.
    func log(_ d: String, _ name: String, epochs: Int, slope: Double) throws -> String {
        var recs: [EpochRecord] = []
        for e in 1...epochs {
            var l = LossBreakdown(); l.total = 10 - Double(e); l.rec = 9 - Double(e)
            let m = ["recall@50": 0.05 + slope * Double(e), "hitrate@50": 0.5 + slope * Double(e)]
            recs.append(EpochRecord(epoch: e, seconds: 1, examplesPerSecond: 100, loss: l, valid: m, test: m))
        }
        try EpochLog.write(recs, jsonl: d + "/\(name).jsonl", csv: d + "/\(name).csv")
        return d + "/\(name).jsonl"
    }

    func testFigureFromJSONLAndCSVWithSeedsAsBands() throws {
        let d = makeTempDir("curves")
        let a = try log(d, "a", epochs: 5, slope: 0.01), b = try log(d, "b", epochs: 5, slope: 0.012)
        let c = try log(d, "c", epochs: 5, slope: 0.02)
        let runs = try Curves.load(paths: [a, b, d + "/c.csv"], labels: ["Base", "Base", "Re4"])
        XCTAssertEqual(runs[2].records.map(\.epoch), [1, 2, 3, 4, 5], "CSV read back")
        _ = c
        let fig = try Curves.figure(runs: runs, metrics: ["test_recall@50", "loss"])
        XCTAssertEqual(fig.axes.count, 2)
        let bands = fig.axes[0].series.filter { if case .band = $0 { return true } else { return false } }.count
        XCTAssertEqual(bands, 1, "two Base seeds → one band; one Re4 run → none")
        XCTAssertEqual(fig.axes[0].legendEntries.map(\.label), ["Base (n=2)", "Re4"])
        try fig.save(d + "/curves.png")
        XCTAssertGreaterThan(try PixelImage.read(png: d + "/curves.png").width, 0)
    }

    /// The star sits at the best epoch among those every run of the label reached.
    func testBestEpochStarIgnoresEpochsOnlySomeSeedsReached() throws {
        func run(_ valid: [Double]) -> Curves.Run {
            let recs = valid.enumerated().map { e, v in
                EpochRecord(epoch: e + 1, seconds: 1, examplesPerSecond: 1, loss: LossBreakdown(), valid: ["recall@50": v], test: ["recall@50": v])
            }
            return Curves.Run(label: "Re4", path: "x", records: recs)
        }
        // Seed 2 ran on to epoch 5, its best; over both seeds epoch 2 is best.
        let fig = try Curves.figure(runs: [run([0.1, 0.3, 0.2]), run([0.1, 0.2, 0.2, 0.25, 0.9])], metrics: ["test_recall@50"])
        let stars = fig.axes[0].series.compactMap { s -> Double? in
            if case .scatter(let x, _, _, .star, _, _, _) = s { return x.first } else { return nil }
        }
        XCTAssertEqual(stars, [2])
    }

    /// Seeds stopped by patience at different epochs: the mean and band end where
    /// the shortest run ends; the longer run goes on alone, thin and dashed.
    func testMeanStopsWhereTheShortestSeedStops() throws {
        func run(_ v: [Double]) -> Curves.Run {
            Curves.Run(label: "SA", path: "x", records: v.enumerated().map { e, x in
                EpochRecord(epoch: e + 1, seconds: 1, examplesPerSecond: 1, loss: LossBreakdown(), valid: ["recall@50": x], test: ["recall@50": x])
            })
        }
        let fig = try Curves.figure(runs: [run([0.1, 0.2, 0.3]), run([0.3, 0.4, 0.5, 0.6, 0.2])], metrics: ["test_recall@50"])
        var lines: [(x: [Double], y: [Double], dashed: Bool, label: String?)] = [], bandX: [Double] = []
        for s in fig.axes[0].series {
            if case .line(let x, let y, _, _, _, let d, let l) = s { lines.append((x, y, d, l)) }
            if case .band(let x, _, _, _) = s { bandX = x }
        }
        XCTAssertEqual(lines.count, 2, "the mean and one tail")
        XCTAssertEqual(lines[0].x, [1, 2, 3]); XCTAssertEqual(lines[0].y[2], 0.4, accuracy: 1e-12)
        XCTAssertFalse(lines[0].dashed); XCTAssertEqual(lines[0].label, "SA (n=2)")
        XCTAssertEqual(bandX, [1, 2, 3])
        XCTAssertEqual(lines[1].x, [3, 4, 5], "the tail starts at the last shared epoch")
        XCTAssertEqual(lines[1].y, [0.5, 0.6, 0.2]); XCTAssertTrue(lines[1].dashed); XCTAssertNil(lines[1].label)
        // A run with no value of the metric at all does not cut the others' mean short.
        let nan = try Curves.figure(runs: [run([0.1, 0.2, 0.3]), run([.nan, .nan])], metrics: ["test_recall@50"])
        let meanX = nan.axes[0].series.compactMap { s -> [Double]? in if case .line(let x, _, _, _, _, false, _) = s { return x } else { return nil } }
        XCTAssertEqual(meanX, [[1, 2, 3]])
    }

    func testSingleEpochLogStillPlots() throws {
        let d = makeTempDir("curves")
        let a = try log(d, "one", epochs: 1, slope: 0.01)
        let fig = try Curves.figure(runs: try Curves.load(paths: [a], labels: nil), metrics: ["test_hitrate@50"])
        try fig.save(d + "/one.svg")
        XCTAssertTrue(FileManager.default.fileExists(atPath: d + "/one.svg"))
    }

    func testBadLogsAndNamesGiveClearErrors() throws {
        let d = makeTempDir("curves")
        let a = try log(d, "a", epochs: 2, slope: 0.01)
        XCTAssertThrowsError(try Curves.figure(runs: try Curves.load(paths: [a], labels: nil), metrics: ["test_auc"])) {
            XCTAssertTrue($0.localizedDescription.contains("unknown metric 'test_auc'"))
        }
        XCTAssertThrowsError(try Curves.load(paths: [a], labels: ["x", "y"])) { XCTAssertTrue($0.localizedDescription.contains("2 names for 1 runs")) }
        try "{\"epoch\": 1}\nnot json\n".write(toFile: d + "/bad.jsonl", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Curves.load(paths: [d + "/bad.jsonl"], labels: nil)) { XCTAssertTrue($0.localizedDescription.contains("bad.jsonl:2")) }
        try "".write(toFile: d + "/empty.jsonl", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Curves.load(paths: [d + "/empty.jsonl"], labels: nil)) { XCTAssertTrue($0.localizedDescription.contains("no epochs")) }
        try "epoch,loss\n1,abc\n".write(toFile: d + "/bad.csv", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Curves.load(paths: [d + "/bad.csv"], labels: nil)) { XCTAssertTrue($0.localizedDescription.contains("bad.csv:2")) }
    }

    /// Another tool's logs: a TensorBoard event file torch wrote and a Lightning CSV, two runs as one band.
    func testCurvesFromATensorBoardEventFileAndLightningCSVs() throws {
        let events = repositoryRoot + "/Tests/Re4CoreTests/Fixtures/tensorboard/events.out.tfevents.fixture"
        let runs = try Curves.load(paths: [events], labels: ["torch"], y: ["Loss/train", "Recall/valid"])
        let fig = try Curves.figure(runs: runs, metrics: ["Loss/train", "Recall/valid"])
        XCTAssertEqual(fig.axes[0].xLabel, "step")
        guard case .line(let x, let y, _, _, _, _, _) = fig.axes[0].series.first(where: { if case .line = $0 { return true } else { return false } })! else { return XCTFail() }
        XCTAssertEqual(x, (1...10).map(Double.init))
        XCTAssertEqual(y[1], Double(Float(0.5)), accuracy: 1e-9)
        let d = makeTempDir()
        write("epoch,val_hr10\n0,0.1\n1,0.2\n", d + "/a.csv"); write("epoch,val_hr10\n0,0.3\n1,0.4\n", d + "/b.csv")
        let two = try Curves.figure(runs: try Curves.load(paths: [d + "/a.csv", d + "/b.csv"], labels: ["m", "m"], y: ["val_hr10"]), metrics: ["val_hr10"])
        XCTAssertEqual(two.axes[0].series.filter { if case .band = $0 { return true } else { return false } }.count, 1, "two seeds, one band")
        guard case .line(_, let mean, _, _, _, _, _) = two.axes[0].series.first(where: { if case .line = $0 { return true } else { return false } })! else { return XCTFail() }
        XCTAssertEqual(mean[0], 0.2, accuracy: 1e-12); XCTAssertEqual(mean[1], 0.3, accuracy: 1e-12)
        XCTAssertThrowsError(try Curves.figure(runs: runs, metrics: ["nope"])) { XCTAssertTrue($0.localizedDescription.contains("no column 'nope'")) }
    }
}

/// Logs made by the real tools (Tests/Reference/make_log_fixtures.py): a
/// SummaryWriter folder with a resumed run, Lightning's metrics.csv, nested JSON lines.
final class ForeignLogTests: XCTestCase {
    let fixtures = repositoryRoot + "/Tests/Re4VizTests/Fixtures/logs"

    /// TensorBoard's own reading of the folder (EventMultiplexer, at fixture time): run → tag → [[step, value]].
    func expected() throws -> [String: [String: [[Double]]]] {
        let d = try Data(contentsOf: URL(fileURLWithPath: fixtures + "/tb-expected.json"))
        return try JSONSerialization.jsonObject(with: d) as! [String: [String: [[Double]]]]
    }

    func testTensorBoardFolderMatchesTensorBoardsReading() throws {
        var o = Curves.LoadOptions(); o.y = ["loss/train", "recall@50/valid"]
        let (runs, notes) = try Curves.load(paths: [fixtures + "/tb"], o)
        XCTAssertEqual(runs.map(\.label), ["base-s1", "re4-s1", "re4-s2"], "one line per run folder, named by its path; none grouped")
        XCTAssertFalse(notes.contains { $0.hasPrefix("grouped") })
        let want = try expected()
        for r in runs {
            for tag in o.y! {
                // TensorBoard keeps both writes of a step (re4-s1: 6-8); the later one is drawn here.
                var byStep: [Double: Double] = [:], order: [Double] = []
                for p in want[r.label]![tag]! { if byStep[p[0]] == nil { order.append(p[0]) }; byStep[p[0]] = p[1] }
                let s = r.columns![tag]!
                XCTAssertEqual(s.x, order.sorted(), "\(r.label) \(tag) steps")
                for (x, y) in zip(s.x, s.y) { XCTAssertEqual(y, byStep[x]!, accuracy: 1e-6, "\(r.label) \(tag) step \(x)") }
            }
        }
        XCTAssertEqual(runs[1].columns!["loss/train"]!.y[5], 2.5 / 6, accuracy: 1e-6, "re4-s1 step 6: the resumed file's value")
        XCTAssertEqual(runs[0].columns!["loss/train"]!.x, [1, 2, 3, 4, 5, 7, 9, 11], "base-s1: purge_step=5 dropped the old 5-9, as TensorBoard does")
        XCTAssertTrue(notes.contains { $0.contains("re4-s1") && $0.contains("written twice") }, "\(notes)")
        XCTAssertTrue(notes.contains { $0.contains("base-s1") && $0.contains("restart at step 5") }, "\(notes)")
        XCTAssertTrue(notes.contains { $0.contains("re4-s1: 2 event files merged") }, "\(notes)")
        var only = o; only.runs = "^re4"
        XCTAssertEqual(try Curves.load(paths: [fixtures + "/tb"], only).runs.map(\.label), ["re4-s1", "re4-s2"])
    }

    /// Where the benchmark venv has tensorboard, its reading of the committed folder is read again.
    func testTensorBoardStillReadsTheFixtureTheSameWay() throws {
        let root = URL(fileURLWithPath: repositoryRoot)
        let python = root.appendingPathComponent(".venv-bench/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python),
              (try? runExecutable(python, ["-c", "import tensorboard"]))?.status == 0 else { throw XCTSkip("no tensorboard in .venv-bench") }
        let script = """
            import json, sys
            from tensorboard.backend.event_processing.event_multiplexer import EventMultiplexer
            m = EventMultiplexer().AddRunsFromDirectory(sys.argv[1]); m.Reload()
            print(json.dumps({r: {t: [[e.step, e.value] for e in m.Scalars(r, t)] for t in sorted(g["scalars"])} for r, g in sorted(m.Runs().items())}))
            """
        let r = try runExecutable(python, ["-c", script, fixtures + "/tb"])
        XCTAssertEqual(r.status, 0, r.err)
        let live = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as! [String: [String: [[Double]]]]
        XCTAssertEqual(live, try expected())
    }

    func testGroupingOnlyWhenAskedAndSaid() throws {
        var o = Curves.LoadOptions(); o.y = ["loss/train"]; o.group = "-s[0-9]+$"
        let (runs, notes) = try Curves.load(paths: [fixtures + "/tb"], o)
        XCTAssertEqual(runs.map(\.label), ["base", "re4", "re4"])
        XCTAssertEqual(notes.filter { $0.hasPrefix("grouped") }.count, 1)
        XCTAssertTrue(notes.contains { $0.hasPrefix("grouped: 're4'") && $0.contains("2 runs") }, "\(notes)")
        // Own logs whose folders share a name are told apart, not averaged.
        let d = makeTempDir()
        for side in ["a", "b"] {
            try FileManager.default.createDirectory(atPath: "\(d)/\(side)/re4", withIntermediateDirectories: true)
            let l = LossBreakdown()
            try EpochLog.write([EpochRecord(epoch: 1, seconds: 1, examplesPerSecond: 1, loss: l, valid: ["recall@50": 0.1], test: ["recall@50": 0.1])],
                               jsonl: "\(d)/\(side)/re4/log.jsonl", csv: "\(d)/\(side)/re4/log.csv")
        }
        let own = try Curves.load(paths: ["\(d)/a/re4/log.jsonl", "\(d)/b/re4"], Curves.LoadOptions())
        XCTAssertEqual(own.runs.map(\.label), ["a/re4", "b/re4"])
        XCTAssertTrue(own.notes.isEmpty, "\(own.notes)")
    }

    func testLightningStepRowsNeedARule() throws {
        let csv = fixtures + "/lightning/metrics.csv"
        assertThrowsMessage(["'train_loss_step' has 15 rows for 3 values of epoch", "--per-epoch mean", "--x step"]) {
            _ = try LogTable.read(path: csv, x: "epoch", y: ["train_loss_step"])
        }
        let steps = try LogTable.read(path: csv, x: "epoch", y: ["train_loss_step"], perEpoch: .mean)
        let every = try LogTable.read(path: csv, x: "step", y: ["train_loss_step"]).series[0]
        XCTAssertEqual(every.x.count, 15, "--x step draws every row")
        let first5 = Array(every.y.prefix(5))
        XCTAssertEqual(steps.series[0].x, [0, 1, 2])
        XCTAssertEqual(steps.series[0].y[0], first5.reduce(0, +) / 5, accuracy: 1e-9)
        XCTAssertEqual(steps.notes.count, 1)
        XCTAssertEqual(try LogTable.read(path: csv, x: "epoch", y: ["train_loss_step"], perEpoch: .last).series[0].y[0], first5[4])
        // The epoch column Lightning writes once per epoch needs no rule.
        XCTAssertEqual(try LogTable.read(path: csv, x: "epoch", y: ["train_loss_epoch", "val_mse"]).series.map(\.x), [[0, 1, 2], [0, 1, 2]])
    }

    func testNestedJSONByDottedPath() throws {
        let f = fixtures + "/nested.jsonl"
        let r = try LogTable.read(path: f, x: nil, y: ["valid.recall@50", "train.loss"])
        XCTAssertEqual(r.series[0].y.count, 5)
        XCTAssertEqual(r.series[0].y[1], 0.06, accuracy: 1e-12)
        assertThrowsMessage(["no column 'valid.recall@20'", "nearest: valid.recall@50"]) { _ = try LogTable.read(path: f, x: nil, y: ["valid.recall@20"]) }
    }

    func testSmoothingIsTensorBoardsDebiasedEMA() {
        // w = 0.5: 0.5·1 / (1 − 0.5) = 1; (0.25 + 1) / 0.75; (0.625 + 1.5) / 0.875.
        let s = Curves.smoothed([1, 2, 3], weight: 0.5)
        XCTAssertEqual(s[0], 1, accuracy: 1e-12); XCTAssertEqual(s[1], 1.25 / 0.75, accuracy: 1e-12); XCTAssertEqual(s[2], 2.125 / 0.875, accuracy: 1e-12)
        XCTAssertEqual(Curves.smoothed([4, 4, 4], weight: 0.9), [4, 4, 4], "a constant series is left alone")
        XCTAssertTrue(Curves.smoothed([1, .nan, 3], weight: 0.5)[1].isNaN)
    }

    func testFigureShowsForeignNamesAsGivenAndLabelsAxes() throws {
        let d = makeTempDir()
        write("epoch,test_recall@50,test_hr@50\n1,0.1,0.2\n2,0.2,0.3\n", d + "/m.csv")
        let runs = try Curves.load(paths: [d + "/m.csv"], labels: nil, x: "epoch", y: ["test_recall@50", "test_hr@50"])
        let fig = try Curves.figure(runs: runs, metrics: ["test_recall@50", "test_hr@50"], smooth: 0.6, logY: true)
        XCTAssertEqual(fig.axes[0].title, "test_recall@50"); XCTAssertEqual(fig.axes[1].title, "test_hr@50")
        XCTAssertEqual(fig.axes[0].yLabel, "test_recall@50"); XCTAssertEqual(fig.axes[0].xLabel, "epoch")
        write("epoch,loss\n1,0.5\n2,0\n", d + "/z.csv")
        let z = try Curves.load(paths: [d + "/z.csv"], labels: nil, x: "epoch", y: ["loss"])
        assertThrowsMessage(["--log-y", "loss = 0"]) { _ = try Curves.figure(runs: z, metrics: ["loss"], logY: true) }
    }
}
