import XCTest
import TestSupport
@testable import TSNE
import CKernels

/// A seeded Gaussian mixture: `clusters` centres N(0, spread²), points N(centre, 1).
func mixture(n: Int, dim: Int, clusters: Int, spread: Double = 10, seed: UInt64 = 42) -> (x: [Float], labels: [Int]) {
    var rng = SplitMix64(seed: seed)
    let centres = (0..<(clusters * dim)).map { _ in rng.normal() * spread }
    var x: [Float] = [], labels: [Int] = []
    for i in 0..<n {
        let c = i % clusters
        labels.append(c)
        for j in 0..<dim { x.append(Float(centres[c * dim + j] + rng.normal())) }
    }
    return (x, labels)
}

/// Mean distance to the own cluster's centre over the mean distance between centres.
func clusterSpreadRatio(_ y: [Double], labels: [Int], clusters k: Int) -> Double {
    let n = labels.count
    var cx = [Double](repeating: 0, count: k), cy = cx, cnt = cx
    for i in 0..<n { cx[labels[i]] += y[2 * i]; cy[labels[i]] += y[2 * i + 1]; cnt[labels[i]] += 1 }
    for c in 0..<k { cx[c] /= cnt[c]; cy[c] /= cnt[c] }
    var within = 0.0
    for i in 0..<n { within += ((y[2 * i] - cx[labels[i]]) * (y[2 * i] - cx[labels[i]]) + (y[2 * i + 1] - cy[labels[i]]) * (y[2 * i + 1] - cy[labels[i]])).squareRoot() }
    var between = 0.0, pairs = 0.0
    for a in 0..<k { for b in (a + 1)..<k { between += ((cx[a] - cx[b]) * (cx[a] - cx[b]) + (cy[a] - cy[b]) * (cy[a] - cy[b])).squareRoot(); pairs += 1 } }
    return (within / Double(n)) / (between / pairs)
}

func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    var d = 0.0, s = 0.0
    for i in a.indices { d += (a[i] - b[i]) * (a[i] - b[i]); s += b[i] * b[i] }
    return (d / s).squareRoot()
}

final class AffinityTests: XCTestCase {
    func testCalibratedRowsHaveTheTargetEntropyAndPIsSymmetric() {
        let (x, _) = mixture(n: 300, dim: 8, clusters: 4)
        let k = 90
        let g = x.withUnsafeBufferPointer { NeighborGraph.exact(points: $0.baseAddress!, n: 300, dim: 8, k: k) }
        // Neighbours sorted nearest first, self excluded.
        for i in 0..<300 {
            XCTAssertFalse(g.indices[(i * k)..<((i + 1) * k)].contains(Int32(i)))
            for t in 1..<k { XCTAssertLessThanOrEqual(g.distances[i * k + t - 1], g.distances[i * k + t]) }
        }
        let target = log(30.0)
        var row = [Double](repeating: 0, count: k)
        for i in stride(from: 0, to: 300, by: 7) {
            g.distances.withUnsafeBufferPointer { d in
                row.withUnsafeMutableBufferPointer { SparseAffinities.calibrate(d.baseAddress! + i * k, k: k, targetEntropy: target, out: $0.baseAddress!) }
            }
            XCTAssertEqual(SparseAffinities.entropy(row), target, accuracy: 1e-4)
            XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-12)
        }
        let P = SparseAffinities.fromNeighbors(g, perplexity: 30)
        XCTAssertEqual(P.values.reduce(0, +), 1, accuracy: 1e-9)
        var dict: [Int: Double] = [:]
        for i in 0..<300 { for e in P.rowStart[i]..<P.rowStart[i + 1] { dict[i * 300 + Int(P.columns[e])] = P.values[e] } }
        for (key, v) in dict { XCTAssertEqual(dict[(key % 300) * 300 + key / 300]!, v, accuracy: 1e-15) }
    }

    /// The forest and the neighbour-of-neighbour rounds find almost every true
    /// neighbour; each round only improves the lists; the lists are sorted, hold
    /// no self and no repeats; and the result does not depend on the thread count.
    func testApproximateNeighboursRecallTheExactOnes() {
        let n = 3000, dim = 16, k = 30
        let (x, _) = mixture(n: n, dim: dim, clusters: 30, spread: 2)
        let exact = x.withUnsafeBufferPointer { NeighborGraph.exact(points: $0.baseAddress!, n: n, dim: dim, k: k) }
        func recall(_ g: NeighborGraph) -> Double {
            var hit = 0
            for i in 0..<n { hit += Set(g.indices[(i * k)..<((i + 1) * k)]).intersection(exact.indices[(i * k)..<((i + 1) * k)]).count }
            return Double(hit) / Double(n * k)
        }
        var o = NeighborGraph.ApproximateOptions()
        o.trees = 4; o.joinRounds = 0
        let forest = x.withUnsafeBufferPointer { NeighborGraph.approximate(points: $0.baseAddress!, n: n, dim: dim, k: k, options: o) }
        o.joinRounds = 2
        let joined = x.withUnsafeBufferPointer { NeighborGraph.approximate(points: $0.baseAddress!, n: n, dim: dim, k: k, options: o) }
        print("recall: forest \(recall(forest)), with 2 join rounds \(recall(joined))")
        XCTAssertGreaterThan(recall(joined), 0.97)
        XCTAssertGreaterThanOrEqual(recall(joined), recall(forest))
        for i in 0..<n {
            let row = joined.indices[(i * k)..<((i + 1) * k)]
            XCTAssertFalse(row.contains(Int32(i))); XCTAssertEqual(Set(row).count, k)
            for t in 1..<k { XCTAssertLessThanOrEqual(joined.distances[i * k + t - 1], joined.distances[i * k + t]) }
        }
        let one = TSNEThreads.$count.withValue(1) { x.withUnsafeBufferPointer { NeighborGraph.approximate(points: $0.baseAddress!, n: n, dim: dim, k: k, options: o) } }
        let two = TSNEThreads.$count.withValue(2) { x.withUnsafeBufferPointer { NeighborGraph.approximate(points: $0.baseAddress!, n: n, dim: dim, k: k, options: o) } }
        XCTAssertEqual(one.indices, two.indices); XCTAssertEqual(one.distances, two.distances)
        // Distances are the true squared distances of the pairs they name.
        for i in stride(from: 0, to: n, by: 97) {
            let j = Int(joined.indices[i * k])
            var d: Float = 0
            for t in 0..<dim { let e = x[i * dim + t] - x[j * dim + t]; d += e * e }
            XCTAssertEqual(joined.distances[i * k], d, accuracy: 1e-3 * max(1, d))
        }
    }

    func testExactNeighboursMatchBruteForce() {
        let (x, _) = mixture(n: 200, dim: 5, clusters: 3)
        let g = x.withUnsafeBufferPointer { NeighborGraph.exact(points: $0.baseAddress!, n: 200, dim: 5, k: 7) }
        for i in stride(from: 0, to: 200, by: 13) {
            var d: [(Float, Int)] = []
            for j in 0..<200 where j != i {
                var s: Float = 0
                for t in 0..<5 { let v = x[i * 5 + t] - x[j * 5 + t]; s += v * v }
                d.append((s, j))
            }
            d.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
            XCTAssertEqual(Set(g.indices[(i * 7)..<(i * 7 + 6)].map(Int.init)), Set(d.prefix(6).map(\.1)))
        }
    }
}

final class GradientTests: XCTestCase {
    /// A spread-out random embedding, so the approximations are tested where they matter.
    func embedding(n: Int, seed: UInt64) -> [Double] {
        var rng = SplitMix64(seed: seed)
        return (0..<(2 * n)).map { _ in rng.normal() * 8 }
    }

    func forces(_ y: [Double], _ f: (UnsafePointer<Double>, UnsafeMutablePointer<Double>) -> Double) -> ([Double], Double) {
        var out = [Double](repeating: 0, count: y.count)
        let z = y.withUnsafeBufferPointer { yp in out.withUnsafeMutableBufferPointer { f(yp.baseAddress!, $0.baseAddress!) } }
        return (out, z)
    }

    /// The repulsive part of the gradient, rep_i / Z (what BH and FFT
    /// approximate), at a realistic state: a mixture embedded for 200 iterations.
    /// (The net gradient near a minimum is a small difference of two large
    /// terms, so its relative error says little about the approximation.)
    func gradients(method: GradientMethod, theta: Double = 0.5, cell: TSNEOptions.BHCell = .diagonal) throws -> ([Double], [Double]) {
        let (x, _) = mixture(n: 500, dim: 8, clusters: 5)
        var o = TSNEOptions()
        o.method = .bh; o.earlyIterations = 100; o.iterations = 100
        let r = try TSNE.embed(x, n: 500, dim: 8, options: o)
        func grad(_ m: GradientMethod) -> [Double] {
            let (rep, z) = forces(r.embedding) { y, out in
                switch m {
                case .exact: return repulsiveExact(y, n: 500, out: out)
                case .fft: return repulsiveFFT(y, n: 500, nodes: 3, minBoxes: 50, out: out)
                default: return repulsiveBH(y, n: 500, theta: theta, cell: cell, out: out)
                }
            }
            return (0..<1000).map { rep[$0] / z }
        }
        return (grad(method), grad(.exact))
    }

    func testBarnesHutGradientAgreesWithExact() throws {
        let (bh, ex) = try gradients(method: .bh)
        print("BH θ=0.5: repulsive gradient rel. error \(relativeError(bh, ex))")
        // Measured 4.7e-3 with the cell-diagonal opening test (1.2e-2 with the side length).
        XCTAssertLessThan(relativeError(bh, ex), 1e-2)
        // The side-length test (openTSNE's) is looser: measured 1.2e-2.
        let (bs, exs) = try gradients(method: .bh, cell: .side)
        print("BH θ=0.5, side test: repulsive gradient rel. error \(relativeError(bs, exs))")
        XCTAssertLessThan(relativeError(bs, exs), 1.5e-2)
        XCTAssertGreaterThan(relativeError(bs, exs), relativeError(bh, ex))
        let (b0, ex0) = try gradients(method: .bh, theta: 0)
        print("BH θ=0: gradient rel. error \(relativeError(b0, ex0))")
        XCTAssertLessThan(relativeError(b0, ex0), 1e-5)
    }

    func testFFTGradientAgreesWithExact() throws {
        let (ff, ex) = try gradients(method: .fft)
        print("FFT: repulsive gradient rel. error \(relativeError(ff, ex))")
        // Measured 2.0e-3 here (3 nodes per box, the grid filled to its FFT length).
        XCTAssertLessThan(relativeError(ff, ex), 1e-2)
    }

    func testRepulsionOnAWideRandomLayout() {
        // Far from equilibrium (points N(0, 8²)): the approximations stay within a few percent.
        let n = 800
        let y = embedding(n: n, seed: 1)
        let (ex, zx) = forces(y) { repulsiveExact($0, n: n, out: $1) }
        let (bh, zb) = forces(y) { repulsiveBH($0, n: n, theta: 0.5, out: $1) }
        let (ff, zf) = forces(y) { repulsiveFFT($0, n: n, nodes: 3, minBoxes: 50, out: $1) }
        print("wide layout: BH force error \(relativeError(bh, ex)), FFT force error \(relativeError(ff, ex))")
        XCTAssertLessThan(relativeError(bh, ex), 5e-2); XCTAssertLessThan(relativeError(ff, ex), 5e-2)
        XCTAssertLessThan(abs(zb - zx) / zx, 1e-2); XCTAssertLessThan(abs(zf - zx) / zx, 1e-2)
    }

    func testFFTPlanAgainstNaiveDFT() {
        // Powers of two and 3·2^k (a radix-3 stage after the radix-2 ones), both directions.
        for n in [1, 2, 3, 6, 12, 16, 24, 96] {
            for inverse in [false, true] {
                var rng = SplitMix64(seed: UInt64(3 + n))
                var re = (0..<n).map { _ in rng.normal() }, im = (0..<n).map { _ in rng.normal() }
                let (r0, i0) = (re, im)
                FFTPlan(n: n).transform(&re, &im, stride: 1, inverse: inverse)
                for k in 0..<n {
                    var sr = 0.0, si = 0.0
                    for t in 0..<n {
                        let a = (inverse ? 2 : -2) * Double.pi * Double(k * t) / Double(n)
                        sr += r0[t] * cos(a) - i0[t] * sin(a); si += r0[t] * sin(a) + i0[t] * cos(a)
                    }
                    XCTAssertEqual(re[k], sr, accuracy: 1e-10, "n \(n) k \(k)"); XCTAssertEqual(im[k], si, accuracy: 1e-10)
                }
            }
        }
    }

    /// The butterflies the loader chose for this machine (AVX-512, AVX2 or
    /// baseline) give the baseline version's bytes, side by side and radix 3 too,
    /// so a portable build and a native one embed alike.
    func testEveryFFTVersionGivesTheBaselineBytes() {
        for n in [16, 48, 96, 256] {
            for (width, inverse) in [(1, false), (16, true), (13, false)] {
                let plan = FFTPlan(n: n)
                var rng = SplitMix64(seed: UInt64(n + width))
                let re = (0..<(n * width)).map { _ in rng.normal() }, im = (0..<(n * width)).map { _ in rng.normal() }
                var (ra, ia) = (re, im), (rb, ib) = (re, im)
                ra.withUnsafeMutableBufferPointer { r in ia.withUnsafeMutableBufferPointer { i in
                    plan.stages(r.baseAddress!, i.baseAddress!, rowStride: width, width: width, inverse: inverse)
                } }
                rb.withUnsafeMutableBufferPointer { r in ib.withUnsafeMutableBufferPointer { i in
                    re4_fft_stages_baseline(r.baseAddress!, i.baseAddress!, n, plan.n2, plan.radix3 ? 1 : 0, plan.cosT, plan.sinT,
                                            width, width, inverse ? 1 : 0)
                } }
                XCTAssertEqual(ra.map(\.bitPattern), rb.map(\.bitPattern), "n \(n) width \(width)")
                XCTAssertEqual(ia.map(\.bitPattern), ib.map(\.bitPattern))
                XCTAssertNotEqual(ra, re, "the stages did something")
            }
        }
    }

    func testFFTLengthsOtherThanTwoToTheKOrThreeTimesItAreRefused() {
        XCTAssertEqual(FFTPlan.isSupported(48), true); XCTAssertEqual(FFTPlan.isSupported(64), true)
        for n in [0, 5, 9, 10, 18, 36, 80] { XCTAssertFalse(FFTPlan.isSupported(n), "\(n)") }
    }
}

extension GradientTests {
    /// The column-vectorised transform gives each column exactly what the 1-D
    /// transform gives it (same arithmetic, same bits), and forward2D followed
    /// by inverse2D restores the kept columns of a sparse grid.
    func testColumnTransformsAndTheTwoDimensionalRoundTrip() {
        for n in [64, 48] { columnTransformsAndRoundTrip(n) }
    }

    func columnTransformsAndRoundTrip(_ n: Int) {
        var rng = SplitMix64(seed: 4)
        var re = (0..<(n * n)).map { _ in rng.normal() }, im = (0..<(n * n)).map { _ in rng.normal() }
        let plan = FFTPlan(n: n)
        var cre = re, cim = im
        plan.transformColumns(&cre, &cim, ranges: [0..<13, 20..<n], inverse: false)
        for c in 0..<n {
            var colRe = (0..<n).map { re[$0 * n + c] }, colIm = (0..<n).map { im[$0 * n + c] }
            if c < 13 || c >= 20 { plan.transform(&colRe, &colIm, stride: 1, inverse: false) }
            for r in 0..<n {
                XCTAssertEqual(cre[r * n + c].bitPattern, colRe[r].bitPattern, "column \(c) row \(r)")
                XCTAssertEqual(cim[r * n + c].bitPattern, colIm[r].bitPattern)
            }
        }
        // Rows likewise (gathered into the same scratch by 8 × 8 tiles).
        var rre = re, rim = im
        plan.transformRows(&rre, &rim, ranges: [0..<5, 16..<n], inverse: true)
        for r in 0..<n {
            var rowRe = Array(re[(r * n)..<(r * n + n)]), rowIm = Array(im[(r * n)..<(r * n + n)])
            if r < 5 || r >= 16 { plan.transform(&rowRe, &rowIm, stride: 1, inverse: true) }
            for c in 0..<n {
                XCTAssertEqual(rre[r * n + c].bitPattern, rowRe[c].bitPattern, "row \(r) column \(c)")
                XCTAssertEqual(rim[r * n + c].bitPattern, rowIm[c].bitPattern)
            }
        }
        // A grid non-zero only in [0, m)²: forward, inverse, scale → the same grid on columns < m.
        let m = 21
        for i in 0..<(n * n) where i / n >= m || i % n >= m { re[i] = 0; im[i] = 0 }
        var gre = re, gim = im
        plan.forward2D(&gre, &gim, nonZero: [0..<m])
        plan.inverse2D(&gre, &gim, keepColumns: m)
        for r in 0..<m { for c in 0..<m {
            XCTAssertEqual(gre[r * n + c] / Double(n * n), re[r * n + c], accuracy: 1e-12)
            XCTAssertEqual(gim[r * n + c] / Double(n * n), im[r * n + c], accuracy: 1e-12)
        } }
    }
}

final class EmbeddingTests: XCTestCase {
    func labelAccuracy(_ y: [Double], _ labels: [Int], k: Int = 10) -> Double {
        let n = labels.count
        let yf = y.map { Float($0) }
        let g = yf.withUnsafeBufferPointer { NeighborGraph.exact(points: $0.baseAddress!, n: n, dim: 2, k: k) }
        var correct = 0
        for i in 0..<n {
            var votes: [Int: Int] = [:]
            for t in 0..<k { votes[labels[Int(g.indices[i * k + t])], default: 0] += 1 }
            if votes.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) })!.key == labels[i] { correct += 1 }
        }
        return Double(correct) / Double(n)
    }

    /// Multiscale P is the mean of the single-perplexity P's over the same
    /// neighbours (the symmetrisation is linear), sums to 1, and one scale is
    /// the plain perplexity, byte for byte.
    func testMultiscaleAffinitiesAreTheMeanOfTheScales() {
        let (x, _) = mixture(n: 300, dim: 8, clusters: 4)
        let g = x.withUnsafeBufferPointer { NeighborGraph.exact(points: $0.baseAddress!, n: 300, dim: 8, k: 90) }
        let a = SparseAffinities.fromNeighbors(g, perplexity: 5), b = SparseAffinities.fromNeighbors(g, perplexity: 30)
        let m = SparseAffinities.fromNeighbors(g, perplexities: [5, 30])
        XCTAssertEqual(m.rowStart, a.rowStart); XCTAssertEqual(m.columns, a.columns); XCTAssertEqual(b.columns, a.columns)
        for e in m.values.indices { XCTAssertEqual(m.values[e], (a.values[e] + b.values[e]) / 2, accuracy: 1e-15) }
        XCTAssertEqual(m.values.reduce(0, +), 1, accuracy: 1e-9)
        XCTAssertNotEqual(m.values, a.values)
        XCTAssertEqual(SparseAffinities.fromNeighbors(g, perplexities: [30]).values, b.values)
    }

    /// The main phase's exaggeration: 1 is the default schedule exactly; above 1
    /// the clusters come out tighter relative to the layout (Böhm et al. 2022).
    func testMainPhaseExaggerationTightensClusters() throws {
        let (x, labels) = mixture(n: 240, dim: 10, clusters: 6, spread: 3)
        var o = TSNEOptions()
        o.method = .bh; o.earlyIterations = 60; o.iterations = 120
        let plain = try TSNE.embed(x, n: 240, dim: 10, options: o).embedding
        o.exaggeration = 1
        XCTAssertEqual(try TSNE.embed(x, n: 240, dim: 10, options: o).embedding, plain)
        o.exaggeration = 4
        let tight = try TSNE.embed(x, n: 240, dim: 10, options: o).embedding
        func spreadRatio(_ y: [Double]) -> Double { clusterSpreadRatio(y, labels: labels, clusters: 6) }
        print("spread ratio: exaggeration 1 \(spreadRatio(plain)), 4 \(spreadRatio(tight))")
        XCTAssertLessThan(spreadRatio(tight), 0.8 * spreadRatio(plain))
        o.exaggeration = 0
        XCTAssertThrowsError(try o.check())
        o.exaggeration = 1; o.perplexities = [30, 0.5]
        XCTAssertThrowsError(try o.check())
        o.perplexities = [5, 100]
        XCTAssertThrowsError(try TSNE.embed(x, n: 240, dim: 10, options: o), "100 > (N−1)/3")
    }

    func testClustersComeOutSeparatedForEveryMethod() throws {
        // Debug builds are slow: small N, shortened schedule.
        let (x, labels) = mixture(n: 240, dim: 10, clusters: 6)
        for method in [GradientMethod.exact, .bh, .fft] {
            var o = TSNEOptions()
            o.method = method; o.earlyIterations = 60; o.iterations = 90
            let r = try TSNE.embed(x, n: 240, dim: 10, options: o)
            let acc = labelAccuracy(r.embedding, labels)
            let kl = TSNEQuality.exactKL(r.affinities, embedding: r.embedding)
            print("\(method): kNN label accuracy \(acc), exact KL \(kl), last estimate \(r.history.last!.kl)")
            XCTAssertGreaterThan(acc, 0.95, "\(method)")
            XCTAssertEqual(r.history.last!.kl, kl, accuracy: 0.05 * kl + 0.05, "the estimate tracks the exact KL")
        }
    }

    func testSameSeedAndThreadsGiveIdenticalOutput() throws {
        let (x, _) = mixture(n: 300, dim: 6, clusters: 3)
        var o = TSNEOptions()
        o.earlyIterations = 50; o.iterations = 50; o.method = .bh
        let a = try TSNE.embed(x, n: 300, dim: 6, options: o).embedding
        let b = try TSNE.embed(x, n: 300, dim: 6, options: o).embedding
        XCTAssertEqual(a, b)
        o.initialization = .random
        let c = try TSNE.embed(x, n: 300, dim: 6, options: o).embedding
        o.seed = 7
        let d = try TSNE.embed(x, n: 300, dim: 6, options: o).embedding
        XCTAssertNotEqual(c, d)
    }

    func testBadInput() {
        XCTAssertThrowsError(try TSNE.embed([1, 2, 3], n: 3, dim: 1)) { XCTAssertEqual($0 as? TSNEError, .tooFewPoints(3)) }
        var x = mixture(n: 50, dim: 3, clusters: 2).x
        x[7] = .nan
        XCTAssertThrowsError(try TSNE.embed(x, n: 50, dim: 3)) {
            XCTAssertEqual($0 as? TSNEError, .nonFinite(row: 2, column: 1))
            XCTAssertTrue("\($0)".contains("row 3, column 2"))
        }
        let ok = mixture(n: 50, dim: 3, clusters: 2).x
        XCTAssertThrowsError(try TSNE.embed(ok, n: 50, dim: 3)) {
            XCTAssertEqual($0 as? TSNEError, .perplexityTooLarge(perplexity: 30, points: 50))
            XCTAssertTrue("\($0)".contains("at most (N-1)/3 = 16"))
        }
    }

    func testQualityMeasuresOnAPerfectEmbedding() {
        // 2-D input embedded as itself: every neighbour kept, T = 1.
        let (x, _) = mixture(n: 120, dim: 2, clusters: 3)
        let y = x.map(Double.init)
        XCTAssertEqual(TSNEQuality.knnPreservation(input: x, n: 120, dim: 2, embedding: y), 1)
        XCTAssertEqual(TSNEQuality.trustworthiness(input: x, n: 120, dim: 2, embedding: y), 1, accuracy: 1e-12)
        // A random embedding is much less trustworthy.
        var rng = SplitMix64(seed: 9)
        let r = (0..<240).map { _ in rng.normal() }
        XCTAssertLessThan(TSNEQuality.trustworthiness(input: x, n: 120, dim: 2, embedding: r), 0.8)
    }
}
