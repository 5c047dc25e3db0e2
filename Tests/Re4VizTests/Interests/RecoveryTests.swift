import Foundation
import XCTest
import TestSupport
@testable import Re4Core
@testable import Re4Viz

/// Learned interests matched to planted ones: hand-computed cases and a model
/// whose interests are copies of one another.
final class RecoveryTests: XCTestCase {
    func testAssignmentMaximisesTheTotal() {
        XCTAssertEqual(Recovery.assignment(maximising: [[1, 0], [0, 1]]), [0, 1])
        // Greedy would give row 0 column 0 (0.9 + 0.1 = 1.0); the best total is 0.8 + 0.85.
        XCTAssertEqual(Recovery.assignment(maximising: [[0.9, 0.8], [0.85, 0.1]]), [1, 0])
        // More rows than columns: one row is left out, the total is 1 + 0.5.
        let a = Recovery.assignment(maximising: [[1, 0], [1, 0], [0, 0.5]])
        XCTAssertEqual(a[2], 1); XCTAssertEqual(Set(a.prefix(2)), [0, -1])
        // More columns than rows.
        XCTAssertEqual(Recovery.assignment(maximising: [[0.2, 0.7, 0.1]]), [1])
    }

    func testScoresByHand() {
        // Two interests, each purely one planted category (in the other order).
        let perfect = Recovery.score(masses: [["c1": 1], ["c2": 3]], planted: ["c2", "c1"])!
        XCTAssertEqual(perfect, Recovery.UserScore(recovered: 1, duplicates: 0, purity: 1))
        // Three copies leaning on c1: one planted interest of two is recovered; two of three repeat.
        let copies = Recovery.score(masses: Array(repeating: ["c1": 0.8, "c2": 0.2], count: 3), planted: ["c1", "c2"])!
        XCTAssertEqual(copies.recovered, 0.5); XCTAssertEqual(copies.duplicates, 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(copies.purity, 0.8, accuracy: 1e-12)
        // An interest on a category nobody planted recovers nothing.
        XCTAssertEqual(Recovery.score(masses: [["c9": 1]], planted: ["c1"])!.recovered, 0)
        XCTAssertNil(Recovery.score(masses: [["c1": 1]], planted: []))
    }

    func testAModelWhoseInterestsAreCopiesRecoversAtMostOnePerUser() throws {
        let dir = makeTempDir()
        var s = SyntheticSpec(); s.users = 120; s.items = 1_000; s.categories = 8; s.maxInterests = 3; s.noise = 0; s.seed = 2
        s.minLength = 20; s.maxLength = 40
        try Synthetic.write(s, to: dir)
        let ds = try DataSource(data: dir).load()
        var c = ModelConfig(); c.interests = 3; c.dim = 8; c.hidden = 8; c.items = ds.itemCount
        let m = MultiInterestModel.initial(config: c, seed: 1)
        // Every row of W1_2 the same: the same attention, so the same interests.
        let i = m.params.index(of: "W1_2")!
        let H = c.hidden
        for k in 1..<c.interests { for h in 0..<H { m.params.buffers[i][k * H + h] = m.params.buffers[i][h] } }
        let users = ds.users(in: .test)
        let per = Distinctness.perUser(model: m, dataset: ds, users: users)
        XCTAssertEqual(per["recovered_attended"]!.count, users.count)
        for (j, u) in users.enumerated() {
            XCTAssertLessThanOrEqual(per["recovered_attended"]![j], 1 / Double(ds.planted[u].count) + 1e-12)
            XCTAssertEqual(per["duplicate_attended"]![j], 2.0 / 3.0, accuracy: 1e-12)
        }
        // Without a truth file the statistics are left out, not zero.
        var plain = ds; plain.planted = []
        XCTAssertTrue(Distinctness.perUser(model: m, dataset: plain, users: users)["recovered_attended"]!.isEmpty)
    }
}

/// The view score by hand: a star counts when most of its nearest items are of its matched category.
final class ViewScoreTests: XCTestCase {
    func testStarsAmongTheirCategoryCountAndOthersDoNot() {
        // Items 1…20: 1–6 and 11–13 are c1, the rest c2.
        let cats: [[String]] = [[]] + (1...20).map { [(1...6).contains($0) || (11...13).contains($0) ? "c1" : "c2"] }
        let ds = Dataset(name: "t", itemIDs: (1...20).map(String.init), userIDs: ["a", "b"], sequences: [[1, 2], [3, 4]],
                         split: [.test, .test], itemCategories: cats, itemTitles: Array(repeating: "", count: 21))
        typealias P = InterestProjection.Point
        var pts: [P] = []
        // Map items 1–10 around (0, 0), 11–20 around (100, 100).
        for it in 1...20 {
            let base = it <= 10 ? 0.0 : 100.0
            pts.append(P(panel: 0, isInterest: false, user: "", userIndex: -1, interest: -1, item: Int32(it), x: base + Double(it % 10) * 0.1, y: base))
        }
        // User a's interest 0 near the first group (6 of 10 are c1: a hit); user b's near the second (3 of 10: a miss).
        pts.append(P(panel: 0, isInterest: true, user: "a", userIndex: 0, interest: 0, item: 0, x: 0.5, y: 0))
        pts.append(P(panel: 0, isInterest: true, user: "b", userIndex: 1, interest: 0, item: 0, x: 100.5, y: 100))
        // User b's interest 1 has no match: left out.
        pts.append(P(panel: 0, isInterest: true, user: "b", userIndex: 1, interest: 1, item: 0, x: 0.5, y: 0))
        XCTAssertEqual(Recovery.viewScore(pts, dataset: ds, matched: [["c1"], ["c1", nil]]), 0.5)
        XCTAssertEqual(Recovery.viewScore(pts, dataset: ds, matched: [["c2"], ["c2", nil]]), 0.5, "c2 is the majority near b, not near a")
        XCTAssertNil(Recovery.viewScore(pts, dataset: ds, matched: [[nil], [nil, nil]]))
        XCTAssertEqual(Recovery.matchedCategories(masses: [["c1": 0.9], ["c1": 0.8, "c2": 0.2], ["c3": 1]], planted: ["c1", "c2"]),
                       ["c1", "c2", nil])
    }

    /// In `panels` a star's neighbours are its own user's items only: the
    /// other user's items next to it do not count.
    func testPanelsScoreAStarAgainstItsOwnUsersItems() {
        let cats: [[String]] = [[], ["c1"], ["c1"], ["c1"], ["c2"], ["c2"], ["c2"], ["c2"], ["c2"]]
        let ds = Dataset(name: "t", itemIDs: (1...8).map(String.init), userIDs: ["a", "b"], sequences: [[1, 2], [3, 4]],
                         split: [.test, .test], itemCategories: cats, itemTitles: Array(repeating: "", count: 9))
        typealias P = InterestProjection.Point
        var pts: [P] = []
        // User a's items 1–3 (c1) a little away from the star; user b's items 4–8 (c2) right on it.
        for it in 1...3 { pts.append(P(panel: 0, isInterest: false, user: "a", userIndex: 0, interest: 0, item: Int32(it), x: 5 + Double(it), y: 0)) }
        for it in 4...8 { pts.append(P(panel: 0, isInterest: false, user: "b", userIndex: 1, interest: 0, item: Int32(it), x: Double(it) * 0.01, y: 0)) }
        pts.append(P(panel: 0, isInterest: true, user: "a", userIndex: 0, interest: 0, item: 0, x: 0, y: 0))
        let matched: [[String?]] = [["c1"], [nil]]
        XCTAssertEqual(Recovery.viewScore(pts, dataset: ds, matched: matched, neighbours: 3, ownItemsOnly: true), 1, "its own three items are c1")
        XCTAssertEqual(Recovery.viewScore(pts, dataset: ds, matched: matched, neighbours: 3, ownItemsOnly: false), 0, "b's c2 items are nearest")
    }

    func testTheStudyTableAveragesSeedsPerLayoutAndSpace() {
        let s = ViewStudy.Result(scores: [
            .init(variant: "base", seed: 1, layout: "map", space: "u", value: 0.2),
            .init(variant: "base", seed: 2, layout: "map", space: "u", value: 0.4),
            .init(variant: "re4", seed: 1, layout: "map", space: "u", value: 0.5),
            .init(variant: "re4", seed: 1, layout: "panels", space: "z", value: nil),
        ], recovery: [("base", 1, ["recovered_attended": 0.5]), ("base", 2, ["recovered_attended": 0.7])], truth: true, dataName: "p", users: 3)
        let md = ViewStudy.markdown(s)
        // mean 0.3, sample std sqrt(((0.1)^2 + (0.1)^2) / 1) = 0.1414
        XCTAssertTrue(md.contains("| map | U | 0.300 ± 0.141 (2) | 0.500 (1) | – | – |"), md)
        XCTAssertTrue(md.contains("| panels | Z | – | – | – | – |"), md)
        var noTruth = s; noTruth.truth = false
        XCTAssertTrue(ViewStudy.markdown(noTruth).contains("| map | U | 0.300 ± 0.141 (2) | 0.500 (1) |\n"))
        XCTAssertTrue(md.contains("| recovered_attended | 0.600 ± 0.141 (2) | – |"), md)
        XCTAssertEqual(ViewStudy.csv(s).split(separator: "\n").count, 5)
    }
}
