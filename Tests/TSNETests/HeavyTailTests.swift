import Foundation
import XCTest
@testable import TSNE

/// `dof` (Kobak et al. 2019, openTSNE's `dof`): the kernel (1 + d²/α)^−α.
final class HeavyTailTests: XCTestCase {
    func layout(n: Int, seed: UInt64, scale: Double) -> [Double] {
        var rng = SplitMix64(seed: seed)
        return (0..<(2 * n)).map { _ in rng.normal() * scale }
    }

    /// A small P: each point's 5 nearest (by index ring) with random weights, symmetrised, Σ = 1.
    func affinities(n: Int) -> SparseAffinities {
        var rng = SplitMix64(seed: 9)
        var dense = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for k in 1...5 { let j = (i + k * 7) % n; let v = 0.5 + rng.unit(); dense[i * n + j] += v; dense[j * n + i] += v } }
        let total = dense.reduce(0, +)
        var rowStart = [0], cols: [Int32] = [], vals: [Double] = []
        for i in 0..<n { for j in 0..<n where dense[i * n + j] > 0 { cols.append(Int32(j)); vals.append(dense[i * n + j] / total) }; rowStart.append(cols.count) }
        return SparseAffinities(n: n, rowStart: rowStart, columns: cols, values: vals)
    }

    /// 4 (attraction − repulsion / Z) is the gradient of the exact KL, for several α, by central differences.
    func testGradientMatchesFiniteDifferencesOfTheKL() {
        let n = 30
        let P = affinities(n: n)
        for dof in [1.0, 0.5, 0.2, 3.0] {
            var y = layout(n: n, seed: 4, scale: 2)
            let attr = Buffer<Double>(2 * n, 0), rep = Buffer<Double>(2 * n, 0)
            let z = y.withUnsafeBufferPointer { yp -> Double in
                _ = attractiveForces(P, yp.baseAddress!, exaggeration: 1, out: attr.p, dof: dof)
                return repulsiveExact(yp.baseAddress!, n: n, out: rep.p, dof: dof)
            }
            var worst = 0.0, scale = 0.0
            for k in 0..<(2 * n) {
                let analytic = 4 * (attr.p[k] - rep.p[k] / z)
                let h = 1e-5, keep = y[k]
                y[k] = keep + h; let a = TSNEQuality.exactKL(P, embedding: y, dof: dof)
                y[k] = keep - h; let b = TSNEQuality.exactKL(P, embedding: y, dof: dof)
                y[k] = keep
                worst = max(worst, abs((a - b) / (2 * h) - analytic)); scale = max(scale, abs(analytic))
            }
            XCTAssertLessThan(worst / scale, 1e-5, "α = \(dof)")
        }
    }

    /// Barnes–Hut and FFT approximate the heavy-tailed repulsion as they do the Cauchy one.
    func testBarnesHutAndFFTAgreeWithExactAtHalfADegree() {
        let n = 600
        let y = layout(n: n, seed: 2, scale: 6)
        func run(_ f: (UnsafePointer<Double>, UnsafeMutablePointer<Double>) -> Double) -> ([Double], Double) {
            var out = [Double](repeating: 0, count: 2 * n)
            let z = y.withUnsafeBufferPointer { yp in out.withUnsafeMutableBufferPointer { f(yp.baseAddress!, $0.baseAddress!) } }
            return (out, z)
        }
        for dof in [0.5, 2.0] {
            let (ex, zx) = run { repulsiveExact($0, n: n, out: $1, dof: dof) }
            let (bh, zb) = run { repulsiveBH($0, n: n, theta: 0.5, out: $1, dof: dof) }
            let (ff, zf) = run { repulsiveFFT($0, n: n, nodes: 3, minBoxes: 50, out: $1, dof: dof) }
            func rel(_ a: [Double], _ b: [Double]) -> Double {
                zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot() / b.map { $0 * $0 }.reduce(0, +).squareRoot()
            }
            print("α = \(dof): BH force error \(rel(bh, ex)), FFT \(rel(ff, ex)); Z errors \(abs(zb - zx) / zx), \(abs(zf - zx) / zx)")
            XCTAssertLessThan(rel(bh, ex), 2e-2, "α = \(dof)"); XCTAssertLessThan(rel(ff, ex), 2e-2, "α = \(dof)")
            XCTAssertLessThan(abs(zb - zx) / zx, 1e-2); XCTAssertLessThan(abs(zf - zx) / zx, 1e-2)
        }
        // α = 1 through the general code path (1 + ε) agrees with the Cauchy path.
        let (c, zc) = run { repulsiveFFT($0, n: n, nodes: 3, minBoxes: 50, out: $1, dof: 1) }
        let (g, zg) = run { repulsiveFFT($0, n: n, nodes: 3, minBoxes: 50, out: $1, dof: 1 + 1e-9) }
        XCTAssertEqual(zc, zg, accuracy: 1e-6 * zc)
        for (a, b) in zip(c, g) { XCTAssertEqual(a, b, accuracy: 1e-6 * (abs(a) + 1)) }
    }

    /// Heavier tails pull clusters further apart relative to their size (Kobak et al.'s figure 1).
    func testHeavierTailsSeparateClustersMore() throws {
        let (x, labels) = mixture(n: 240, dim: 10, clusters: 6, spread: 3)
        var o = TSNEOptions()
        o.method = .bh; o.earlyIterations = 60; o.iterations = 150
        func ratio(_ y: [Double]) -> Double { clusterSpreadRatio(y, labels: labels, clusters: 6) }
        let cauchy = try TSNE.embed(x, n: 240, dim: 10, options: o).embedding
        o.dof = 1
        XCTAssertEqual(try TSNE.embed(x, n: 240, dim: 10, options: o).embedding, cauchy, "dof 1 is the default, byte for byte")
        o.dof = 0.5
        let heavy = try TSNE.embed(x, n: 240, dim: 10, options: o).embedding
        print("cluster spread / separation: α = 1 \(ratio(cauchy)), α = 0.5 \(ratio(heavy))")
        XCTAssertLessThan(ratio(heavy), ratio(cauchy))
        for bad in [0.0, -1, .nan, .infinity, 101] { o.dof = bad; XCTAssertThrowsError(try o.check(), "\(bad)") }
    }
}
