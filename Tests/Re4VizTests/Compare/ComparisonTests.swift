import Foundation
import XCTest
import TestSupport
@testable import Re4Viz
import Re4Core

final class ComparisonTests: XCTestCase {
    func testPairsUsersByIdAndSeedsByOrderByHand() throws {
        let d = makeTempDir()
        write("user,split,recall@20\nu1,test,0.1\nu2,test,0.2\nu3,test,0.3\n", d + "/a1.csv")
        write("user,split,recall@20\nu3,test,0.5\nu2,test,0.2\nu1,test,0.2\nu9,test,1\n", d + "/b1.csv")   // other order, an extra user
        write("user,split,recall@20\nu1,test,0.1\nu2,test,0.1\nu3,test,0.1\n", d + "/a2.csv")
        write("user,split,recall@20\nu1,test,0.3\nu2,test,0.1\nu3,test,0.1\n", d + "/b2.csv")
        let r = try Comparison.run(a: [d + "/a1.csv", d + "/a2.csv"], b: [d + "/b1.csv", d + "/b2.csv"], metrics: nil, resamples: 500)
        XCTAssertEqual(r.users, 3); XCTAssertEqual(r.seeds, 2)
        let x = r.rows[0]
        // Per user, B − A averaged over seeds: u1 (0.1 + 0.2)/2, u2 0, u3 (0.2 + 0)/2.
        XCTAssertEqual(x.difference, (0.15 + 0 + 0.1) / 3, accuracy: 1e-12)
        XCTAssertEqual(x.meanA, (0.2 + 0.1) / 2, accuracy: 1e-12)
        XCTAssertEqual(x.meanB, (0.3 + 0.5 / 3) / 2, accuracy: 1e-12)
        XCTAssertEqual(x.wilcoxon.n, 2); XCTAssertEqual(x.wilcoxon.statistic, 0)
        // Seed means of B − A: 0.1 and 0.0667 → paired t over two seeds.
        XCTAssertEqual(x.seedT?.df, 1)
        XCTAssertNotNil(x.hierarchical)
        XCTAssertTrue(Comparison.markdown(r).contains("| recall@20 | 0.1500 | 0.2333 | +0.0833 |"), Comparison.markdown(r))
    }

    /// ML-1M's hit rate @ 50 came out 16 users higher under Re4 at each of three
    /// seeds: the seeds' t has zero spread, which the table must not print as p = 0.
    func testEqualSeedDifferencesPrintNoTPValue() throws {
        let d = makeTempDir()
        write("user,split,hitrate@50\nu1,test,0\nu2,test,1\nu3,test,1\n", d + "/a1.csv")
        write("user,split,hitrate@50\nu1,test,1\nu2,test,1\nu3,test,1\n", d + "/b1.csv")
        write("user,split,hitrate@50\nu1,test,0\nu2,test,0\nu3,test,1\n", d + "/a2.csv")
        write("user,split,hitrate@50\nu1,test,0\nu2,test,1\nu3,test,1\n", d + "/b2.csv")
        let r = try Comparison.run(a: [d + "/a1.csv", d + "/a2.csv"], b: [d + "/b1.csv", d + "/b2.csv"], metrics: nil, resamples: 200)
        XCTAssertEqual(r.rows[0].seedT?.t, .infinity)
        let m = Comparison.markdown(r)
        XCTAssertTrue(m.contains("| – (equal Δ) |"), m)
        XCTAssertTrue(m.contains("no spread"), m)
        XCTAssertFalse(m.contains("0.0e+00"), m)
        write("user,split,hitrate@50\nu1,test,0\nu2,test,0\nu3,test,0\n", d + "/b2.csv")   // now the seeds differ
        let u = Comparison.markdown(try Comparison.run(a: [d + "/a1.csv", d + "/a2.csv"], b: [d + "/b1.csv", d + "/b2.csv"], metrics: nil, resamples: 200))
        XCTAssertFalse(u.contains("equal Δ"), u)
    }

    /// Every user's difference is the same: d_z = mean/sd has no spread to divide
    /// by, and no format prints nan for it.
    func testDzWithoutSpreadIsADashNotNaN() throws {
        let d = makeTempDir()
        write("user,split,recall@50\nu1,test,0\nu2,test,0.25\nu3,test,0.5\n", d + "/a.csv")
        write("user,split,recall@50\nu1,test,0.25\nu2,test,0.5\nu3,test,0.75\n", d + "/b.csv")
        let r = try Comparison.run(a: [d + "/a.csv"], b: [d + "/b.csv"], metrics: nil, resamples: 200)
        XCTAssertFalse(r.rows[0].dz.isFinite)
        for f in Comparison.Format.allCases {
            let s = Comparison.format([r], as: f)
            XCTAssertFalse(s.lowercased().contains("nan"), "\(f): \(s)")
        }
        XCTAssertTrue(Comparison.markdown(r).contains("| – |"), Comparison.markdown(r))
        XCTAssertTrue(Comparison.markdown(r).contains("d_z –"))
    }

    func testBadInputs() {
        let d = makeTempDir()
        write("user,split,recall@20\nu1,test,0.1\nu2,test,0.2\n", d + "/a.csv")
        write("user,split,ndcg@20\nu1,test,0.1\nu2,test,0.2\n", d + "/b.csv")
        write("user,split,recall@20\nu1,test,x\n", d + "/bad.csv")
        write("a,b\n1,2\n", d + "/other.csv")
        assertThrowsMessage(["same number"]) { _ = try Comparison.run(a: [d + "/a.csv"], b: [], metrics: nil) }
        assertThrowsMessage(["'recall@20' is not in every file"]) { _ = try Comparison.run(a: [d + "/a.csv"], b: [d + "/b.csv"], metrics: ["recall@20"]) }
        assertThrowsMessage(["bad.csv:2", "'x' is not a number"]) { _ = try Comparison.run(a: [d + "/a.csv"], b: [d + "/bad.csv"], metrics: nil) }
        assertThrowsMessage(["other.csv", "not a per-user CSV"]) { _ = try Comparison.run(a: [d + "/a.csv"], b: [d + "/other.csv"], metrics: nil) }
    }
    /// Per-epoch files hold valid and test users; distinctness files leave undefined values empty.
    func testSplitFilterAndUndefinedValuesByHand() throws {
        let d = makeTempDir()
        write("user,split,recall@20,cos_U\nu1,test,0.1,0.5\nu2,test,0.2,\nu3,test,0.3,0.7\nv1,valid,0.9,0.1\nv2,valid,0.8,0.2\n", d + "/a.csv")
        write("user,split,recall@20,cos_U\nu1,test,0.2,0.4\nu2,test,0.2,0.3\nu3,test,0.5,0.3\nv1,valid,0.1,0.1\nv2,valid,0.2,0.2\n", d + "/b.csv")
        let r = try Comparison.run(a: [d + "/a.csv"], b: [d + "/b.csv"], metrics: nil, resamples: 200)
        XCTAssertEqual(r.users, 3, "valid users skipped")
        XCTAssertEqual(r.rows.map(\.users), [3, 2], "cos_U is undefined for u2 in A")
        XCTAssertEqual(r.rows[0].difference, (0.1 + 0 + 0.2) / 3, accuracy: 1e-12)
        XCTAssertEqual(r.rows[1].difference, (-0.1 - 0.4) / 2, accuracy: 1e-12)
        XCTAssertTrue(Comparison.markdown(r).contains("| cos_U | 2 |"), Comparison.markdown(r))
        let v = try Comparison.run(a: [d + "/a.csv"], b: [d + "/b.csv"], metrics: ["recall@20"], resamples: 200, split: "valid")
        XCTAssertEqual(v.rows[0].difference, (-0.8 - 0.6) / 2, accuracy: 1e-12)
        XCTAssertEqual(try Comparison.run(a: [d + "/a.csv"], b: [d + "/b.csv"], metrics: ["recall@20"], resamples: 200, split: nil).users, 5)
        write("user,split,recall@20\nv1,valid,0.1\n", d + "/valid-only.csv")
        assertThrowsMessage(["valid-only.csv", "no users of the test split", "--split"]) {
            _ = try Comparison.run(a: [d + "/valid-only.csv"], b: [d + "/b.csv"], metrics: nil)
        }
        write("user,split,cos_U\nu1,test,0.1\nu2,test,\nu3,test,\n", d + "/sparse.csv")
        assertThrowsMessage(["'cos_U' is defined for 1 shared user"]) { _ = try Comparison.run(a: [d + "/sparse.csv"], b: [d + "/b.csv"], metrics: ["cos_U"]) }
    }
    /// Several models against one baseline: Holm over every (model, metric) test, and the four formats.
    func testSeveralModelsShareOneHolmAdjustmentAndEveryFormatCarriesTheRows() throws {
        let d = makeTempDir()
        var rng = SeededRandom(seed: 3)
        func file(_ name: String, shift: Double) {
            var s = "user,split,recall@20,ndcg@20\n"
            for u in 0..<40 { s += "u\(u),test,\(0.2 + shift + 0.05 * rng.unitDouble()),\(0.3 + shift / 2 + 0.05 * rng.unitDouble())\n" }
            write(s, d + "/\(name).csv")
        }
        file("a", shift: 0); file("b1", shift: 0.02); file("b2", shift: -0.001)
        let many = try Comparison.run(a: [d + "/a.csv"], bs: [[d + "/b1.csv"], [d + "/b2.csv"]], labels: ["Base", "Re4", "NoCt"], metrics: nil, resamples: 200)
        let single = try [d + "/b1.csv", d + "/b2.csv"].map { try Comparison.run(a: [d + "/a.csv"], b: [$0], metrics: nil, resamples: 200) }
        let expected = PairedTests.holm(single.flatMap { $0.rows.map(\.wilcoxon.p) })
        XCTAssertEqual(many.flatMap { $0.rows.map(\.holm) }, expected, "one adjustment over the four tests")
        XCTAssertGreaterThanOrEqual(many[0].rows[0].holm, single[0].rows[0].holm, "adjusting over more tests never lowers p")
        XCTAssertEqual(many.map(\.labels.1), ["Re4", "NoCt"])
        let csv = Comparison.format(many, as: .csv).split(separator: "\n")
        XCTAssertEqual(csv.count, 1 + 4); XCTAssertTrue(csv[1].hasPrefix("Base,Re4,recall@20,40,1,"))
        let json = try JSONSerialization.jsonObject(with: Data(Comparison.format(many, as: .json).utf8)) as! [[String: Any]]
        XCTAssertEqual(json.count, 4); XCTAssertEqual(json[3]["model"] as? String, "NoCt")
        XCTAssertEqual((json[0]["holm_p"] as? Double) ?? -1, expected[0], accuracy: 1e-12)
        XCTAssertTrue(json[0]["ci95_seeds"] is NSNull, "one seed: no two-level interval")
        let text = Comparison.format(many, as: .text)
        XCTAssertEqual(text.split(separator: "\n").filter { $0.hasPrefix("Re4 ") || $0.hasPrefix("NoCt ") }.count, 4)
        XCTAssertTrue(Comparison.format(many, as: .markdown).contains("Holm's adjustment is over all 4 tests of the 2 models together"))
        assertThrowsMessage(["--labels has 2 names for 3 models"]) {
            _ = try Comparison.run(a: [d + "/a.csv"], bs: [[d + "/b1.csv"], [d + "/b2.csv"]], labels: ["Base", "Re4"], metrics: nil)
        }
    }
}
