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
}
