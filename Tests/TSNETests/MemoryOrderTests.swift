import XCTest
@testable import TSNE

/// The optimisation in a tree's memory order (`TSNEOptions.localityOrder`):
/// P renamed and back is P, and the embedding comes back in the input's order.
final class MemoryOrderTests: XCTestCase {
    func testRenamedAffinitiesAreTheSameMatrixAndRenameBackExactly() {
        let (x, _) = mixture(n: 200, dim: 6, clusters: 3)
        let g = x.withUnsafeBufferPointer { NeighborGraph.exact(points: $0.baseAddress!, n: 200, dim: 6, k: 15) }
        let P = SparseAffinities.fromNeighbors(g, perplexity: 5)
        let order = x.withUnsafeBufferPointer { NeighborGraph.buildTree($0.baseAddress!, n: 200, dim: 6, leaf: 16, seed: 3).0 }
        XCTAssertEqual(order.sorted(), (0..<200).map(Int32.init), "a permutation")
        XCTAssertNotEqual(order, (0..<200).map(Int32.init))
        var back = [Int32](repeating: 0, count: 200)
        for (r, i) in order.enumerated() { back[Int(i)] = Int32(r) }
        let R = P.renamed(order: order, newIndex: back)
        func entry(_ M: SparseAffinities, _ i: Int, _ j: Int) -> Double {
            for e in M.rowStart[i]..<M.rowStart[i + 1] where Int(M.columns[e]) == j { return M.values[e] }
            return 0
        }
        XCTAssertEqual(R.columns.count, P.columns.count)
        for r in 0..<200 {
            let cols = Array(R.columns[R.rowStart[r]..<R.rowStart[r + 1]])
            XCTAssertEqual(cols, cols.sorted(), "row \(r)'s columns ascending")
            for e in R.rowStart[r]..<R.rowStart[r + 1] {
                XCTAssertEqual(R.values[e], entry(P, Int(order[r]), Int(order[Int(R.columns[e])])), "R[r, c] = P[order[r], order[c]]")
            }
        }
        let B = R.renamed(order: back, newIndex: order)
        XCTAssertEqual(B.rowStart, P.rowStart); XCTAssertEqual(B.columns, P.columns); XCTAssertEqual(B.values, P.values)
    }

    /// Tree order and input order embed the same clusters, each point at its own
    /// input row (a point left in the tree's order would sit among another
    /// cluster's points), with the same quality up to rounding; the returned P
    /// is the input-order P either way.
    func testTheEmbeddingComesBackInTheInputOrder() throws {
        let (x, labels) = mixture(n: 240, dim: 10, clusters: 6)
        var o = TSNEOptions()
        o.method = .fft; o.earlyIterations = 60; o.iterations = 90
        var results: [TSNEResult] = []
        for local in [false, true] {
            o.localityOrder = local
            results.append(try TSNE.embed(x, n: 240, dim: 10, options: o))
        }
        let (plain, tree) = (results[0], results[1])
        XCTAssertNotEqual(plain.embedding, tree.embedding, "a different order of sums")
        XCTAssertEqual(plain.affinities.values, tree.affinities.values)
        XCTAssertEqual(plain.affinities.columns, tree.affinities.columns)
        for r in [plain, tree] {
            XCTAssertGreaterThan(kNNLabelAgreement(r.embedding, labels), 0.95)
        }
        let klPlain = TSNEQuality.exactKL(plain.affinities, embedding: plain.embedding)
        let klTree = TSNEQuality.exactKL(tree.affinities, embedding: tree.embedding)
        XCTAssertEqual(klTree, klPlain, accuracy: 0.03 * klPlain)
        o.localityOrder = true
        XCTAssertEqual(try TSNE.embed(x, n: 240, dim: 10, options: o).embedding, tree.embedding, "deterministic")
    }

    /// Share of points whose 10 nearest in the embedding are mostly of their own label.
    func kNNLabelAgreement(_ y: [Double], _ labels: [Int], k: Int = 10) -> Double {
        let n = labels.count, yf = y.map { Float($0) }
        let g = yf.withUnsafeBufferPointer { NeighborGraph.exact(points: $0.baseAddress!, n: n, dim: 2, k: k) }
        var good = 0
        for i in 0..<n where (0..<k).filter({ labels[Int(g.indices[i * k + $0])] == labels[i] }).count * 2 > k { good += 1 }
        return Double(good) / Double(n)
    }
}
