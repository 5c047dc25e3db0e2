import Foundation
import XCTest
import TestSupport
@testable import Re4Core

/// The reader's compact time column and the data set's in-place grouping
/// (docs/performance.md § Data loading: memory), against plain references.
final class InPlaceGroupingTests: XCTestCase {
    func testTimeColumnKeepsWholeSecondsAsOffsetsAndGivesTheSameDoubles() {
        let values: [Double] = [978_300_760, 978_300_761, 978_300_700, -5, 0, 978_300_760 + 2_000_000_000]
        let c = TimeColumn(values)
        XCTAssertTrue(c.isNarrow)
        XCTAssertEqual(c.values, values)
        XCTAssertEqual(c.range, -5...(978_300_760 + 2_000_000_000))
        XCTAssertEqual(c.narrow.count, values.count)
    }

    func testTimeColumnWidensOnceAtTheFirstValueItCannotHold() {
        // A fraction, a span beyond ±2³¹ from the first value (milliseconds), a
        // number past 2⁵³: each turns the column into Doubles from there on, with
        // every earlier value unchanged.
        for odd in [1.5, 1_600_000_000_000.0 + 3 * 0x1p31, 0x1p60, -0.25] {
            let values: [Double] = [1_600_000_000_000, 1_600_000_000_007, odd, 1_600_000_000_001, 2.75]
            let c = TimeColumn(values)
            XCTAssertFalse(c.isNarrow, "\(odd)")
            XCTAssertEqual(c.values, values, "\(odd)")
            XCTAssertEqual(c.range, values.min()!...values.max()!)
        }
        let first = TimeColumn([0.5, 1, 2])
        XCTAssertFalse(first.isNarrow)
        XCTAssertEqual(first.values, [0.5, 1, 2])
        XCTAssertNil(TimeColumn().range)
    }

    func testMovingRowsInPlaceFollowsThePermutation() {
        var rng = SeededRandom(seed: 4)
        for n in [0, 1, 2, 7, 64, 65, 1000] {
            for kind in 0..<3 {
                var dest = Array(0..<n)
                if kind == 1 { rng.shuffle(&dest) }
                if kind == 2 && n > 1 { dest = (0..<n).map { ($0 + 1) % n } }   // one long cycle
                let a = (0..<n).map { Int32($0 * 3 + 1) }
                var want = [Int32](repeating: 0, count: n)
                for r in 0..<n { want[dest[r]] = a[r] }
                var got = a, other = a.map { "r\($0)" }
                let d32 = dest.map(Int32.init)
                d32.withUnsafeBufferPointer { moveRowsInPlace(&got, &other, to: $0) }
                XCTAssertEqual(got, want, "n \(n) kind \(kind)")
                XCTAssertEqual(other, want.map { "r\($0)" })
                var t = TimeColumn(a.map(Double.init)), companion = a
                d32.withUnsafeBufferPointer { t.moveRows(to: $0, companion: &companion) }
                XCTAssertEqual(t.values, want.map(Double.init))
                XCTAssertEqual(companion, want)
            }
        }
    }

    /// The data set the old way: rows grouped by user in first-seen order, a
    /// stable sort on time, items numbered by first appearance among the kept rows.
    func reference(_ rows: [(String, String, Double)], kCore: Int) -> (users: [String], items: [String], seqs: [[String]]) {
        var users: [String] = [], byUser: [String: [(String, Double)]] = [:]
        for (u, i, t) in rows {
            if byUser[u] == nil { users.append(u); byUser[u] = [] }
            byUser[u]!.append((i, t))
        }
        var seqs = users.map { u in byUser[u]!.enumerated().sorted { a, b in a.1.1 < b.1.1 || (a.1.1 == b.1.1 && a.0 < b.0) }.map(\.1.0) }
        var keep = [Bool](repeating: true, count: users.count)
        if kCore > 1 {
            while true {
                var count: [String: Int] = [:]
                for u in users.indices where keep[u] { for i in seqs[u] { count[i, default: 0] += 1 } }
                var changed = false
                for u in users.indices where keep[u] {
                    let f = seqs[u].filter { count[$0]! >= kCore }
                    if f.count != seqs[u].count { changed = true; seqs[u] = f }
                    if seqs[u].count < kCore { keep[u] = false; changed = true }
                }
                if !changed { break }
            }
        }
        for u in users.indices where seqs[u].count < 2 { keep[u] = false }
        let kept = users.indices.filter { keep[$0] }
        // First appearance in the file among the kept users' kept items.
        let keptItems = Set(kept.flatMap { seqs[$0] })
        var items: [String] = [], seen = Set<String>()
        for (_, i, _) in rows where keptItems.contains(i) && !seen.contains(i) { seen.insert(i); items.append(i) }
        return (kept.map { users[$0] }, items, kept.map { seqs[$0] })
    }

    func testBuildingInPlaceGivesTheReferenceDataOnShuffledAndGroupedLogs() throws {
        var rng = SeededRandom(seed: 11)
        for trial in 0..<40 {
            let nUsers = 1 + Int(rng.next() % 30), nItems = 1 + Int(rng.next() % 25)
            var rows: [(String, String, Double)] = []
            for u in 0..<nUsers {
                for _ in 0..<Int(rng.next() % 12) {
                    // Few distinct times, so ties are common; some trials have fractions.
                    let t = Double(rng.next() % 6) + (trial % 4 == 3 ? 0.5 : 0)
                    rows.append(("u\(u)", "i\(rng.next() % UInt64(nItems))", t))
                }
            }
            if trial % 2 == 1 { rng.shuffle(&rows) }
            for k in [0, 2, 3] {
                let want = reference(rows, kCore: k)
                var log = InteractionLog(source: "t")
                for r in rows { log.append(user: r.0, item: r.1, time: r.2) }
                var o = DatasetOptions(); o.kCore = k
                guard !want.users.isEmpty else {
                    XCTAssertThrowsError(try Dataset.build(name: "t", log: log, options: o)); continue
                }
                let ds = try Dataset.build(name: "t", log: log, options: o)
                XCTAssertEqual(ds.userIDs, want.users, "trial \(trial) k \(k)")
                XCTAssertEqual(ds.itemIDs, want.items, "trial \(trial) k \(k)")
                XCTAssertEqual(ds.sequences.map { $0.map { ds.itemIDs[Int($0) - 1] } }, want.seqs, "trial \(trial) k \(k)")
                if let lo = rows.map(\.2).min(), let hi = rows.map(\.2).max() { XCTAssertEqual(ds.timeRange, lo...hi) }
            }
        }
    }
}
