import Foundation
import XCTest
@testable import Re4Viz
import Re4Core
import Plot

/// Readable labels and what every figure of the set shows (issue 18's list).
final class LabelsTests: XCTestCase {
    func testReadableNamesByHand() {
        XCTAssertEqual(Labels.readable("test_recall@50"), "Recall@50 (test)")
        XCTAssertEqual(Labels.readable("valid_hitrate@20"), "HR@20 (validation)")
        XCTAssertEqual(Labels.readable("test_ndcg_re4@50"), "NDCG@50 (Re4's), test")
        XCTAssertEqual(Labels.readable("recall@100"), "Recall@100")
        XCTAssertEqual(Labels.readable("loss_ct"), "Re-contrast loss")
        XCTAssertEqual(Labels.readable("cos_U"), "Cosine between interests (U)")
        // Unknown keys and malformed ones come back as they are.
        for k in ["test_auc", "recall@", "recall@x", "Loss/train", ""] { XCTAssertEqual(Labels.readable(k), k) }
    }

    func testEveryKnownKeyHasALabel() {
        for m in Curves.metricNames { XCTAssertNotEqual(Labels.readable(m), m, m) }
        for (k, _) in Distinctness.definitions { XCTAssertNotEqual(Labels.readable(k), k, k) }
    }

    func testCurvesHideUnusedCellsAndUseReadableTitles() throws {
        var l = LossBreakdown(); l.total = 3; l.rec = 2
        let recs = (1...3).map { EpochRecord(epoch: $0, seconds: 1, examplesPerSecond: 1, loss: l, valid: ["recall@50": 0.1], test: ["recall@50": 0.1]) }
        let run = Curves.Run(label: "a", path: "a", records: recs)
        let fig = try Curves.figure(runs: [run], metrics: ["loss", "loss_rec", "loss_att", "loss_ct", "loss_cs"])
        XCTAssertEqual(fig.axes.count, 6)
        XCTAssertEqual(fig.axes.map(\.hidden), [false, false, false, false, false, true], "the sixth cell is not drawn")
        XCTAssertEqual(fig.axes[3].title, "Re-contrast loss")
    }

    func testDistinctnessFigureShowsEveryStatisticWithOneFigureLegend() {
        let keys = Distinctness.definitions.map(\.0)
        func report(_ shift: Double) -> Distinctness.Report {
            Distinctness.Report(checkpoint: "c", statistics: keys.map { Distinctness.Statistic(key: $0, description: "", mean: 0.5 + shift, low: 0.4, high: 0.6, users: 3) })
        }
        let fig = Reproduction.distinctnessFigure([("base", 1, report(0)), ("re4", 1, report(0.1))], keys: keys, title: "t", dpi: 50)
        XCTAssertEqual(fig.axes.filter { !$0.hidden }.count, keys.count, "one panel per statistic, all of them")
        XCTAssertEqual(fig.legend.map(\.label), ["Base", "Re4"])
        XCTAssertTrue(fig.axes.allSatisfy { $0.legend == .none }, "no legend narrows a panel")
        XCTAssertEqual(fig.axes[0].title, "Cosine between interests (U)")
    }

    func testFigure4LayoutsSayWhatColourMeans() {
        let pts = [InterestProjection.Point(panel: 0, isInterest: true, user: "u7", userIndex: 0, interest: 0, item: 0, x: 0, y: 0),
                   InterestProjection.Point(panel: 0, isInterest: true, user: "u9", userIndex: 1, interest: 1, item: 0, x: 1, y: 1)]
        let panels = InterestProjection.figure(points: pts, panelTitles: ["Base"], users: 2, K: 2, layout: .panels, caption: "c", title: nil, dpi: 50)
        XCTAssertEqual(panels.legend.map(\.label), ["interest 1", "interest 2", "items of each interest"])
        XCTAssertEqual(panels.legend[1].color, Palette.tab10.color(1))
        let family = InterestProjection.figure(points: pts, panelTitles: ["Base"], users: 2, K: 2, layout: .family, caption: "c", title: nil, dpi: 50)
        XCTAssertEqual(family.legend.map(\.label), ["user u7", "user u9", "interest 1", "interest 2", "items of each interest"])
        XCTAssertEqual(family.legend[1].color, Palette.tab10.color(1), "a user's hue")
        let map = InterestProjection.mapFigure(points: pts, panelTitles: ["Base"], users: 2, K: 2, caption: "c", title: nil, dpi: 50)
        XCTAssertEqual(map.legend.count, 3)
        XCTAssertTrue(map.axes.allSatisfy { $0.legendEntries.isEmpty })
    }
}
