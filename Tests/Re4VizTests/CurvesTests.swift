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
        XCTAssertThrowsError(try Curves.load(paths: [a], labels: ["x", "y"])) { XCTAssertTrue($0.localizedDescription.contains("2 names for 1 logs")) }
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
