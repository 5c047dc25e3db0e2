import Foundation
import XCTest
import TestSupport
@testable import Re4Core

final class DatasetTests: XCTestCase {
    func log(_ rows: [(String, String, Double)]) -> InteractionLog {
        var l = InteractionLog(source: "test")
        for r in rows { l.append(user: r.0, item: r.1, time: r.2) }
        return l
    }

    func testStableTimeSortRenumberingAndSkippedUsers() throws {
        // u1: b@5, a@3, c@5 → a, b, c (b before c: same time, file order). u2 has one item.
        let ds = try Dataset.build(name: "t", log: log([("u1", "b", 5), ("u1", "a", 3), ("u2", "z", 1), ("u1", "c", 5), ("u3", "a", 1), ("u3", "c", 2)]))
        XCTAssertEqual(ds.userIDs, ["u1", "u3"])
        XCTAssertEqual(ds.skippedUsers, 1)
        // Items numbered by first appearance in the file among kept interactions: b=1, a=2, c=3.
        XCTAssertEqual(ds.itemIDs, ["b", "a", "c"])
        XCTAssertEqual(ds.sequences, [[2, 1, 3], [2, 3]])
        XCTAssertEqual(ds.interactionsRead, 6)
        XCTAssertEqual(ds.timeRange, 1...5)
        var byPop = DatasetOptions(); byPop.itemOrder = .popularity
        let p = try Dataset.build(name: "t", log: log([("u1", "b", 5), ("u1", "a", 3), ("u1", "c", 5), ("u3", "a", 1), ("u3", "c", 2)]), options: byPop)
        XCTAssertEqual(p.itemIDs, ["a", "c", "b"], "a and c twice (a seen first), b once")
    }

    func testKCoreIsIterated() throws {
        // With k = 2: item x appears once → removed; then u2 has one item → removed;
        // then item y has one interaction → removed, and so on until stable.
        let rows: [(String, String, Double)] = [
            ("u1", "a", 1), ("u1", "b", 2), ("u2", "a", 1), ("u2", "b", 2),
            ("u3", "x", 1), ("u3", "y", 2), ("u4", "y", 1), ("u4", "w", 2),
        ]
        var o = DatasetOptions(); o.kCore = 2
        let ds = try Dataset.build(name: "k", log: log(rows), options: o)
        XCTAssertEqual(ds.userIDs, ["u1", "u2"])
        XCTAssertEqual(Set(ds.itemIDs), ["a", "b"])
    }

    func testSeededSplitIs80_10_10AndDeterministic() {
        var o = DatasetOptions(); o.seed = 11
        let a = Dataset.seededSplit(users: 1000, options: o)
        let b = Dataset.seededSplit(users: 1000, options: o)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.filter { $0 == .train }.count, 800)
        XCTAssertEqual(a.filter { $0 == .valid }.count, 100)
        XCTAssertEqual(a.filter { $0 == .test }.count, 100)
        o.seed = 12
        XCTAssertNotEqual(Dataset.seededSplit(users: 1000, options: o), a)
        // Not simply the first 800 users.
        XCTAssertNotEqual(Array(a.prefix(800)), [SplitPart](repeating: .train, count: 800))
    }

    func testFingerprintDependsOnContent() throws {
        let a = try Dataset.build(name: "a", log: log([("u", "a", 1), ("u", "b", 2)]))
        let b = try Dataset.build(name: "b", log: log([("u", "a", 1), ("u", "b", 2)]))
        let c = try Dataset.build(name: "c", log: log([("u", "b", 1), ("u", "a", 2)]))
        XCTAssertEqual(a.fingerprint, b.fingerprint, "the name is not content")
        XCTAssertNotEqual(a.fingerprint, c.fingerprint)
        XCTAssertEqual(a.fingerprint.count, 16)
    }

    func testTrainingAndEvaluationExamplesByHand() throws {
        var ds = try Dataset.build(name: "t", log: log((1...6).map { ("u", "i\($0)", Double($0)) }))
        ds.split = [.train]
        // s = [1,2,3,4,5,6]; L = 3.
        let ex = ds.trainingExamples()
        XCTAssertEqual(ex.map(\.position), [1, 2, 3, 4, 5])
        XCTAssertEqual(ds.history(user: 0, cut: 1, length: 3), [1, 0, 0])
        XCTAssertEqual(ds.history(user: 0, cut: 3, length: 3), [3, 2, 1])
        XCTAssertEqual(ds.history(user: 0, cut: 5, length: 3), [5, 4, 3], "most recent first, truncated to L")
        // Evaluation: c = ⌊0.8·6⌋ = 4; history = [4,3,2] with L = 3; truth = [5,6].
        XCTAssertEqual(ds.evaluationCut(user: 0), 4)
        XCTAssertEqual(ds.history(user: 0, cut: 4, length: 3), [4, 3, 2])
        XCTAssertEqual(Array(ds.groundTruth(user: 0)), [5, 6])
        // Two items: c = 1, truth is the last item.
        let two = try Dataset.build(name: "t", log: log([("u", "a", 1), ("u", "b", 2)]))
        XCTAssertEqual(two.evaluationCut(user: 0), 1)
        XCTAssertEqual(Array(two.groundTruth(user: 0)), [2])
        // Training users only.
        ds.split = [.test]
        XCTAssertTrue(ds.trainingExamples().isEmpty)
    }

    func testEmbeddedDataSetCounts() throws {
        guard DataCatalog.embeddedFolder() != nil else { throw XCTSkip("run from the repository") }
        let ds = try DataCatalog.load("ml-latest-small")
        let s = DatasetStats(ds)
        XCTAssertEqual(s.users, 671); XCTAssertEqual(s.items, 9066); XCTAssertEqual(s.interactions, 100_004)
        XCTAssertEqual(s.trainUsers + s.validUsers + s.testUsers, 671)
        XCTAssertTrue(ds.hasCategories)
        XCTAssertEqual(ds.itemTitles[1].isEmpty, false)
        XCTAssertTrue(s.text.contains("9,066"))
    }

    /// The fingerprints the reader gave before it streamed (re4 at ea1df94): the
    /// streaming reader and the interned build must give the same data, or every
    /// existing run's checkpoints would stop matching their data.
    func testTheStreamingReaderGivesTheDataTheOldReaderGave() throws {
        guard DataCatalog.embeddedFolder() != nil else { throw XCTSkip("run from the repository") }
        XCTAssertEqual(try DataCatalog.load("ml-latest-small").fingerprint, "1fb6aa08b1b24939")
        var o = DatasetOptions(); o.kCore = 5; o.itemOrder = .popularity
        XCTAssertEqual(try DataCatalog.load("ml-latest-small", options: o).fingerprint, "5c0a62a21c7899a6")
    }

    func testQuantileNearestRank() {
        XCTAssertEqual(DatasetStats.quantile([1, 2, 3, 4], 0.5), 2)
        XCTAssertEqual(DatasetStats.quantile([1, 2, 3, 4], 1.0), 4)
        XCTAssertEqual(DatasetStats.quantile([1, 2, 3, 4], 0.0), 1)
        XCTAssertEqual(DatasetStats.quantile([5], 0.9), 5)
    }
}
