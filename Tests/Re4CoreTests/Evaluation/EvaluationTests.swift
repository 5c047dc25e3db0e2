import Foundation
import XCTest
import TestSupport
@testable import Re4Core

final class MetricTests: XCTestCase {
    let g = { (r: Int) in 1 / log2(Double(r) + 2) }

    func testHandComputedCase() {
        // top-5 = [7, 3, 9, 1, 4]; ground truth list [3, 4, 8] (3 items, 2 of them in the top 5:
        // 3 at rank 1, 4 at rank 4).
        let top: ArraySlice<Int32> = [7, 3, 9, 1, 4]
        let gt: [Int32] = [3, 4, 8]
        XCTAssertEqual(RankingMetrics.recall(top, gt), 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(RankingMetrics.hitRate(top, gt), 1)
        let dcg = g(1) + g(4)  // 1/log2(3) + 1/log2(6)
        // standard: IDCG over min(|set(gt)|, N) = 3 ranks.
        XCTAssertEqual(RankingMetrics.ndcg(top, gt, .standard), dcg / (g(0) + g(1) + g(2)), accuracy: 1e-12)
        // comirec: IDCG over the 2 hits.
        XCTAssertEqual(RankingMetrics.ndcg(top, gt, .comirec), dcg / (g(0) + g(1)), accuracy: 1e-12)
        // re4: DCG over positions in the ground-truth list of found items: 3 at p=0, 4 at p=1.
        XCTAssertEqual(RankingMetrics.ndcg(top, gt, .re4), (g(0) + g(1)) / (g(0) + g(1)), accuracy: 1e-12)
        // Numbers written out: 1/log2(3) = 0.63093, 1/log2(6) = 0.38685.
        XCTAssertEqual(RankingMetrics.ndcg(top, gt, .comirec), (0.630930 + 0.386853) / (1 + 0.630930), accuracy: 1e-5)
    }

    func testNoHitAndDuplicatesInTruth() {
        XCTAssertEqual(RankingMetrics.recall([1, 2], [5]), 0)
        XCTAssertEqual(RankingMetrics.hitRate([1, 2], [5]), 0)
        for c in NDCGConvention.allCases { XCTAssertEqual(RankingMetrics.ndcg([1, 2], [5], c), 0) }
        // |gt| counts the list: [2, 2, 6] with 2 found → recall 1/3.
        XCTAssertEqual(RankingMetrics.recall([2, 9], [2, 2, 6]), 1.0 / 3.0, accuracy: 1e-12)
        // re4 convention: 2 found at positions 0 and 1 of the list; one hit.
        XCTAssertEqual(RankingMetrics.ndcg([9, 2], [2, 2, 6], .re4), (g(0) + g(1)) / g(0), accuracy: 1e-12)
        XCTAssertEqual(RankingMetrics.ndcg([9, 2], [2, 2, 6], .standard), g(1) / (g(0) + g(1)), accuracy: 1e-12)
    }

    func testAveragesOverUsersAndCutoffs() {
        let tops: [[Int32]] = [Array(1...50), Array(51...100)]
        // User 0: truth 30 is at rank 29 (in @50 only). User 1: no hit.
        let m = RankingMetrics.evaluate(tops: tops, truths: [[30], [7]])
        XCTAssertEqual(m["recall@20"], 0)
        XCTAssertEqual(m["recall@50"], 0.5)
        XCTAssertEqual(m["hitrate@50"], 0.5)
        XCTAssertEqual(m["ndcg@50"]!, g(29) / 2, accuracy: 1e-12)
        XCTAssertEqual(Set(m.keys), Set(RankingMetrics.names()))
    }
}

final class RetrievalTests: XCTestCase {
    func testTopNMatchesBruteForce() {
        var rng = SeededRandom(seed: 5)
        let users = 300, K = 3, d = 8, n = 5000, N = 50
        let U = FloatBuffer((0..<(users * K * d)).map { _ in Float(rng.normal()) })
        let E = FloatBuffer((0..<((n + 1) * d)).map { _ in Float(rng.normal()) })
        let got = Retrieval.topN(U: U.p, users: users, K: K, d: d, E: E.p, items: n, N: N)
        for u in stride(from: 0, to: users, by: 37) {
            var scores: [(Float, Int32)] = []
            for j in 1...n {
                var best = -Float.infinity
                for k in 0..<K { var s: Float = 0; for t in 0..<d { s += U[(u * K + k) * d + t] * E[j * d + t] }; best = max(best, s) }
                scores.append((best, Int32(j)))
            }
            scores.sort { $0.0 > $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
            // Scores from sgemm and from this loop may differ in the last bit; compare sets of the top 45.
            XCTAssertEqual(Set(got[u].prefix(45)), Set(scores.prefix(45).map(\.1)), "user \(u)")
            XCTAssertEqual(got[u].count, N)
        }
        // Ties: equal scores are ordered by id.
        var t = TopN(capacity: 3)
        for id in [5, 2, 9, 1] as [Int32] { t.offer(score: 1, id: id) }
        XCTAssertEqual(t.sortedIDs(), [1, 2, 5])
        // The padding row is never retrieved, and N larger than n is capped.
        let small = Retrieval.topN(U: U.p, users: 1, K: K, d: d, E: E.p, items: 4, N: 50)
        XCTAssertEqual(Set(small[0]), [1, 2, 3, 4])
    }
}

final class AdamTests: XCTestCase {
    func testMatchesPyTorchFormulaByHand() {
        // One scalar, lr 0.1, weight decay 0.5: PyTorch adds wd·p to the gradient.
        var p = ParameterSet(); p.add("w", shape: [1], values: [2])
        let g = p.zeros(); g.buffers[0][0] = 1
        var adam = Adam(for: p)
        adam.lr = 0.1; adam.weightDecay = 0.5
        adam.update(p, g, embedding: "none", touchedRows: [])
        // g' = 1 + 0.5·2 = 2; m = 0.2; v = 0.004; m̂ = 2; v̂ = 4 → p = 2 − 0.1·2/(2+1e-8).
        XCTAssertEqual(Double(p.buffers[0][0]), 2 - 0.1 * 2 / (2 + 1e-8), accuracy: 1e-6)
        let p1 = Double(p.buffers[0][0])
        adam.update(p, g, embedding: "none", touchedRows: [])
        let g2 = 1 + 0.5 * p1
        let m2 = 0.9 * 0.2 + 0.1 * g2, v2 = 0.999 * 0.004 + 0.001 * g2 * g2
        let expected = p1 - (0.1 / (1 - 0.81)) * m2 / ((v2).squareRoot() / (1 - 0.998001).squareRoot() + 1e-8)
        XCTAssertEqual(Double(p.buffers[0][0]), expected, accuracy: 1e-5)
    }

    /// The 16-lane kernel gives the bits of the element-by-element formula, at any length and offset.
    func testVectorisedKernelGivesTheScalarBits() {
        var rng = SeededRandom(seed: 12)
        for n in [1, 15, 16, 17, 1_000, 1_007] {
            let g = (0..<n).map { _ in Float(rng.normal()) * (rng.unitDouble() < 0.2 ? 0 : 1) }
            var p = (0..<n).map { _ in Float(rng.normal()) }, m = (0..<n).map { _ in Float(rng.normal()) * 0.1 }
            var v = (0..<n).map { _ in Float(rng.unitDouble()) * 0.01 }
            var (rp, rm, rv) = (p, m, v)
            let (b1, b2, e, wd, step, sq): (Float, Float, Float, Float, Float, Float) = (0.9, 0.999, 1e-8, 1e-6, 0.003 / 0.19, 0.0447)
            for _ in 0..<3 {
                p.withUnsafeMutableBufferPointer { pp in m.withUnsafeMutableBufferPointer { mm in v.withUnsafeMutableBufferPointer { vv in
                    g.withUnsafeBufferPointer { gg in
                        let off = min(3, n - 1)   // an unaligned start too
                        Adam.kernel(pp.baseAddress!, gg.baseAddress!, mm.baseAddress!, vv.baseAddress!, 0..<off, b1: b1, b2: b2, eps: e, weightDecay: wd, stepSize: step, sqrtBc2: sq)
                        Adam.kernel(pp.baseAddress!, gg.baseAddress!, mm.baseAddress!, vv.baseAddress!, off..<n, b1: b1, b2: b2, eps: e, weightDecay: wd, stepSize: step, sqrtBc2: sq)
                    }
                } } }
                for i in 0..<n {
                    let gi = g[i] + wd * rp[i]
                    rm[i] = b1 * rm[i] + (1 - b1) * gi
                    rv[i] = b2 * rv[i] + (1 - b2) * gi * gi
                    rp[i] -= step * rm[i] / (rv[i].squareRoot() / sq + e)
                }
            }
            XCTAssertEqual(p.map(\.bitPattern), rp.map(\.bitPattern), "n = \(n)")
            XCTAssertEqual(m.map(\.bitPattern), rm.map(\.bitPattern)); XCTAssertEqual(v.map(\.bitPattern), rv.map(\.bitPattern))
        }
    }

    func testPaddingRowStaysZeroAndLazyTouchesOnlyGivenRows() {
        for lazy in [false, true] {
            var p = ParameterSet(); p.add("E", shape: [4, 2], values: [0, 0, 1, 1, 2, 2, 3, 3])
            let g = p.zeros()
            for i in 0..<8 { g.buffers[0][i] = 1 }
            var adam = Adam(for: p)
            adam.lazyEmbedding = lazy
            adam.update(p, g, embedding: "E", touchedRows: [0, 2])
            let v = p.buffers[0].array
            XCTAssertEqual(Array(v[0..<2]), [0, 0], "padding row stays exactly 0")
            XCTAssertLessThan(v[4], 2)
            if lazy { XCTAssertEqual(Array(v[2..<4]), [1, 1]); XCTAssertEqual(Array(v[6..<8]), [3, 3]) }
            else { XCTAssertLessThan(v[2], 1); XCTAssertLessThan(v[6], 3) }
        }
    }
}

final class AggregationTests: XCTestCase {
    func testGreedyRerankingByHand() {
        // Items 1–4: categories A, A, B, C; scores 0.9, 0.8, 0.5, 0.1.
        let cats: [[String]] = [[], ["A"], ["A"], ["B"], ["C"]]
        let c: [(Float, Int32)] = [(0.9, 1), (0.8, 2), (0.5, 3), (0.1, 4), (0.85, 1)]
        // λ = 0: by score; the duplicate of item 1 keeps its best score.
        XCTAssertEqual(ControllableAggregation.rerank(candidates: c, lambda: 0, N: 3, categories: cats), [1, 2, 3])
        // λ = 0.4: after 1 (A), item 2 scores 0.8 − 0.4 = 0.4 < item 3's 0.5 → 3, then 2 (0.4) beats 4 (0.1).
        XCTAssertEqual(ControllableAggregation.rerank(candidates: c, lambda: 0.4, N: 3, categories: cats), [1, 3, 2])
        // λ = 1: 1, 3, 4 (2 is now 0.8 − 1 = −0.2 < 0.1).
        XCTAssertEqual(ControllableAggregation.rerank(candidates: c, lambda: 1, N: 3, categories: cats), [1, 3, 4])
        // Diversity: [1, 2, 3]: pairs (A,A) same, (A,B), (A,B) differ → 2/3.
        XCTAssertEqual(ControllableAggregation.diversity([1, 2, 3], categories: cats), 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(ControllableAggregation.diversity([1, 3, 4], categories: cats), 1)
    }
}

extension AggregationTests {
    func testLambdaZeroEqualsPlainEvaluation() throws {
        let ds = try syntheticDataset()
        var c = ModelConfig(); c.interests = 3; c.dim = 8; c.maxLength = 6; c.hidden = 8; c.items = ds.itemCount
        c.lambdaAtt = 0; c.lambdaCt = 0; c.lambdaCs = 0
        let m = MultiInterestModel.initial(config: c, seed: 2)
        let users = ds.users(in: .test)
        let plain = Evaluator.evaluate(model: m, dataset: ds, users: users)
        let agg = ControllableAggregation.evaluate(model: m, dataset: ds, users: users, lambda: 0)
        for name in RankingMetrics.names() { XCTAssertEqual(agg[name]!, plain[name]!, accuracy: 1e-12, name) }
        XCTAssertNotNil(agg["diversity@50"])
    }
}
