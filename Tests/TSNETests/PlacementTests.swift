import Foundation
import XCTest
import TestSupport
@testable import TSNE

/// Placing new points into a fixed embedding (openTSNE's transform).
final class PlacementTests: XCTestCase {
    func reference() throws -> (x: [Float], y: [Double], n: Int, dim: Int) {
        let (x, _) = mixture(n: 600, dim: 8, clusters: 6, seed: 3)
        var o = TSNEOptions(); o.perplexity = 20; o.threads = 2; o.iterations = 300; o.earlyIterations = 150
        let r = try TSNE.embed(x, n: 600, dim: 8, options: o)
        return (x, r.embedding, 600, 8)
    }

    func extent(_ y: [Double]) -> Double {
        let xs = stride(from: 0, to: y.count, by: 2).map { y[$0] }, ys = stride(from: 1, to: y.count, by: 2).map { y[$0] }
        return max(xs.max()! - xs.min()!, ys.max()! - ys.min()!)
    }

    func testACopyOfAReferenceRowLandsAtItsPosition() throws {
        let ref = try reference()
        let rows = [0, 137, 311, 599]
        let q = rows.flatMap { Array(ref.x[($0 * ref.dim)..<(($0 + 1) * ref.dim)]) }
        let before = ref.y
        let placed = try TSNEPlacement.place(new: q, m: rows.count, reference: ref.x, n: ref.n, dim: ref.dim, embedding: ref.y)
        XCTAssertEqual(ref.y, before, "the reference never moves")
        let e = extent(ref.y)
        for (i, r) in rows.enumerated() {
            let dx = placed[2 * i] - ref.y[2 * r], dy = placed[2 * i + 1] - ref.y[2 * r + 1]
            let off = (dx * dx + dy * dy).squareRoot() / e
            print("placement of row \(r): \(String(format: "%.4f", off)) of the map's extent")
            XCTAssertLessThan(off, 0.02, "row \(r)")
        }
    }

    /// On a heavy-tailed map (dof 0.5) placed with the same kernel, copies land on their rows too.
    func testOnAHeavyTailedMapCopiesLandOnTheirRows() throws {
        let (x, _) = mixture(n: 600, dim: 8, clusters: 6, seed: 3)
        var o = TSNEOptions(); o.perplexity = 20; o.threads = 2; o.iterations = 300; o.earlyIterations = 150; o.dof = 0.5
        let y = try TSNE.embed(x, n: 600, dim: 8, options: o).embedding
        let rows = [5, 250, 480]
        let q = rows.flatMap { Array(x[($0 * 8)..<(($0 + 1) * 8)]) }
        var po = PlacementOptions(); po.dof = 0.5
        let placed = try TSNEPlacement.place(new: q, m: rows.count, reference: x, n: 600, dim: 8, embedding: y, options: po)
        let e = extent(y)
        for (i, r) in rows.enumerated() {
            let off = ((placed[2 * i] - y[2 * r]) * (placed[2 * i] - y[2 * r]) + (placed[2 * i + 1] - y[2 * r + 1]) * (placed[2 * i + 1] - y[2 * r + 1])).squareRoot() / e
            XCTAssertLessThan(off, 0.02, "row \(r)")
        }
        po.dof = 0
        XCTAssertThrowsError(try TSNEPlacement.place(new: q, m: rows.count, reference: x, n: 600, dim: 8, embedding: y, options: po))
    }

    func testSameInputSameBytesAtAnyThreadCountAndNewPointsIgnoreEachOther() throws {
        let ref = try reference()
        let (q, _) = mixture(n: 10, dim: 8, clusters: 6, seed: 9)
        var o = PlacementOptions(); o.threads = 1
        let a = try TSNEPlacement.place(new: q, m: 10, reference: ref.x, n: ref.n, dim: ref.dim, embedding: ref.y, options: o)
        o.threads = 2
        let b = try TSNEPlacement.place(new: q, m: 10, reference: ref.x, n: ref.n, dim: ref.dim, embedding: ref.y, options: o)
        XCTAssertEqual(a, b)
        // One point placed alone lands exactly where it lands among the others.
        let one = try TSNEPlacement.place(new: Array(q[(3 * 8)..<(4 * 8)]), m: 1, reference: ref.x, n: ref.n, dim: ref.dim, embedding: ref.y)
        XCTAssertEqual(one, Array(a[6..<8]))
    }

    func testTheOpenAPIPrecomputedAffinitiesAGivenLayoutAndAStoppingCallback() throws {
        let ref = try reference()
        // Affinities given by hand: all weight on reference point 42, from far away.
        let p = PlacementAffinities(m: 1, k: 1, indices: [42], values: [1])
        var calls = 0
        let stopped = try TSNEPlacement.optimize(p, reference: ref.y, initial: [1000, 1000], options: PlacementOptions()) { pr in
            calls += 1
            XCTAssertEqual(pr.iteration, 50)
            return false
        }
        XCTAssertEqual(calls, 1, "stopped at the first report")
        let full = try TSNEPlacement.optimize(p, reference: ref.y, initial: [1000, 1000], options: PlacementOptions())
        XCTAssertNotEqual(stopped, full)
        let d0 = hypot(1000 - ref.y[84], 1000 - ref.y[85]), d1 = hypot(full[0] - ref.y[84], full[1] - ref.y[85])
        XCTAssertLessThan(d1, d0, "attracted towards its only neighbour")
        // Affinities that name a point past the reference, and a perplexity below 1, are refused.
        XCTAssertThrowsError(try TSNEPlacement.optimize(PlacementAffinities(m: 1, k: 1, indices: [600], values: [1]),
                                                        reference: ref.y, initial: [0, 0], options: PlacementOptions()))
        var bad = PlacementOptions(); bad.perplexity = 0.5
        XCTAssertThrowsError(try TSNEPlacement.affinities(new: [Float](repeating: 0, count: 8), m: 1, reference: ref.x, n: ref.n, dim: 8, options: bad))
    }
}
