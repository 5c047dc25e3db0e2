import Foundation
import XCTest
import TestSupport
@testable import PairedStats

/// Paired tests: by hand, and against SciPy / statsmodels values
/// (Tests/Reference/paired_stats_reference.py → Fixtures/paired-stats.json).
final class PairedTestsTests: XCTestCase {
    lazy var reference: [String: Any] = try! JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: repositoryRoot + "/Tests/PairedStatsTests/Fixtures/paired-stats.json"))) as! [String: Any]

    func testWilcoxonByHand() {
        // d = [1, -2, 3, 0, 4]: zero dropped; |d| ranks 1,2,3,4; W+ = 1+3+4 = 8, W− = 2 → statistic 2.
        // mean n(n+1)/4 = 5, var n(n+1)(2n+1)/24 = 7.5, z = (2 − 5)/√7.5.
        let w = PairedTests.wilcoxon([1, -2, 3, 0, 4])
        XCTAssertEqual(w.n, 4); XCTAssertEqual(w.statistic, 2)
        XCTAssertEqual(w.z, -3 / 7.5.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(w.p, erfc(3 / 7.5.squareRoot() / 2.0.squareRoot()), accuracy: 1e-12)
        // Ties share the mean rank: |d| = [1, 1, 2] → ranks 1.5, 1.5, 3; tie term (8 − 2)/48.
        let t = PairedTests.wilcoxon([1, -1, 2])
        XCTAssertEqual(t.statistic, 1.5)
        XCTAssertEqual(t.z, (1.5 - 3) / (3.5 - 6.0 / 48).squareRoot(), accuracy: 1e-12)
    }

    func testAgainstSciPy() {
        for name in ["continuous", "tied", "small"] {
            let c = reference[name] as! [String: Any]
            let d = c["d"] as! [Double]
            let w = PairedTests.wilcoxon(d)
            XCTAssertEqual(w.statistic, c["wilcoxon_statistic"] as! Double, accuracy: 1e-9, name)
            XCTAssertEqual(w.p, c["wilcoxon_p"] as! Double, accuracy: 1e-10, name)
            let t = PairedTests.pairedT(d)!
            XCTAssertEqual(t.t, c["t"] as! Double, accuracy: 1e-10, name)
            XCTAssertEqual(t.p, c["t_p"] as! Double, accuracy: 1e-10, name)
            XCTAssertEqual(PairedTests.dz(d), c["dz"] as! Double, accuracy: 1e-12, name)
        }
        for s in reference["student"] as! [[String: Double]] {
            XCTAssertEqual(PairedTests.studentTwoSided(s["t"]!, df: s["df"]!), s["p"]!, accuracy: 1e-11, "t \(s["t"]!) df \(s["df"]!)")
        }
        let h = reference["holm"] as! [String: [Double]]
        for (a, b) in zip(PairedTests.holm(h["p"]!), h["adjusted"]!) { XCTAssertEqual(a, b, accuracy: 1e-15) }
    }

    func testBootstrapsAreSeededAndCoverTheMean() {
        let d = (0..<200).map { Double($0 % 7) / 10 - 0.2 }
        let a = PairedTests.bootstrap(d, resamples: 2000, seed: 1), b = PairedTests.bootstrap(d, resamples: 2000, seed: 1)
        XCTAssertEqual(a.low, b.low); XCTAssertEqual(a.high, b.high)
        XCTAssertLessThan(a.low, PairedTests.mean(d)); XCTAssertGreaterThan(a.high, PairedTests.mean(d))
        // A constant difference has a zero-width interval, at both levels.
        XCTAssertEqual(PairedTests.bootstrap([0.1, 0.1, 0.1], resamples: 100, seed: 2).low, 0.1, accuracy: 1e-15)
        let hb = PairedTests.hierarchicalBootstrap([[0.1, 0.1], [0.1, 0.1, 0.1]], resamples: 100, seed: 2)
        XCTAssertEqual(hb.low, 0.1, accuracy: 1e-15); XCTAssertEqual(hb.high, 0.1, accuracy: 1e-15)
        // Seeds that disagree widen the hierarchical interval beyond the pooled one.
        let seeds = [(0..<100).map { _ in 0.05 }, (0..<100).map { _ in -0.03 }, (0..<100).map { _ in 0.01 }]
        let pooled = PairedTests.bootstrap(seeds.flatMap { $0 }, resamples: 2000, seed: 3)
        let hier = PairedTests.hierarchicalBootstrap(seeds, resamples: 2000, seed: 3)
        XCTAssertGreaterThan(hier.high - hier.low, 2 * (pooled.high - pooled.low))
    }
}
