import Foundation

/// Paired comparisons of two models on the same users (docs/protocol.md §
/// comparing runs): the tests SciPy's `wilcoxon` (method "approx",
/// zero_method "wilcox", no continuity correction) and `ttest_rel` compute,
/// a seeded paired bootstrap, a hierarchical (seeds, then users) bootstrap,
/// the effect size d_z and Holm's step-down adjustment. Checked against SciPy
/// in `PairedTestsTests` (Tests/Reference/paired_stats_reference.py).
public enum PairedTests {
    public static func mean(_ x: [Double]) -> Double { x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count) }

    /// Sample standard deviation (n − 1).
    public static func sd(_ x: [Double]) -> Double {
        guard x.count > 1 else { return .nan }
        let m = mean(x)
        return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot()
    }

    /// Cohen's d_z: the mean paired difference over its standard deviation.
    public static func dz(_ d: [Double]) -> Double { mean(d) / sd(d) }

    public struct Wilcoxon: Sendable, Equatable {
        /// min(W+, W−), SciPy's two-sided statistic.
        public var statistic: Double
        public var z: Double
        public var p: Double
        /// Pairs left after dropping zero differences.
        public var n: Int
    }

    /// Wilcoxon signed-rank test, two-sided, normal approximation with the tie
    /// correction; zero differences dropped (Wilcoxon's convention).
    public static func wilcoxon(_ d: [Double]) -> Wilcoxon {
        let x = d.filter { $0 != 0 }
        let n = x.count
        guard n > 0 else { return Wilcoxon(statistic: 0, z: 0, p: 1, n: 0) }
        let order = x.indices.sorted { abs(x[$0]) < abs(x[$1]) }
        var ranks = [Double](repeating: 0, count: n), tie = 0.0
        var i = 0
        while i < n {
            var j = i
            while j + 1 < n && abs(x[order[j + 1]]) == abs(x[order[i]]) { j += 1 }
            let r = Double(i + j + 2) / 2   // ranks i+1 … j+1, averaged
            for k in i...j { ranks[order[k]] = r }
            let t = Double(j - i + 1)
            tie += t * t * t - t
            i = j + 1
        }
        let wPlus = zip(x, ranks).filter { $0.0 > 0 }.reduce(0) { $0 + $1.1 }
        let total = Double(n * (n + 1)) / 2
        let w = min(wPlus, total - wPlus)
        let m = Double(n * (n + 1)) / 4
        let v = Double(n * (n + 1) * (2 * n + 1)) / 24 - tie / 48
        guard v > 0 else { return Wilcoxon(statistic: w, z: 0, p: 1, n: n) }
        let z = (w - m) / v.squareRoot()
        return Wilcoxon(statistic: w, z: z, p: min(1, erfc(abs(z) / 2.0.squareRoot())), n: n)
    }

    public struct TTest: Sendable, Equatable {
        public var t: Double
        public var df: Int
        public var p: Double
    }

    /// Paired t-test on the differences (two-sided): t = mean / (sd / √n), n − 1 degrees of freedom.
    public static func pairedT(_ d: [Double]) -> TTest? {
        guard d.count >= 2 else { return nil }
        let s = sd(d)
        let df = d.count - 1
        guard s > 0 else {
            let m = mean(d)
            return TTest(t: m == 0 ? 0 : (m > 0 ? .infinity : -.infinity), df: df, p: m == 0 ? 1 : 0)
        }
        let t = mean(d) / (s / Double(d.count).squareRoot())
        return TTest(t: t, df: df, p: studentTwoSided(t, df: Double(df)))
    }

    /// P(|T| ≥ |t|) for Student's t with `df` degrees of freedom: I_{df/(df+t²)}(df/2, 1/2).
    public static func studentTwoSided(_ t: Double, df: Double) -> Double {
        guard t.isFinite else { return 0 }
        return incompleteBeta(df / (df + t * t), a: df / 2, b: 0.5)
    }

    /// The regularised incomplete beta function I_x(a, b), by its continued
    /// fraction (modified Lentz), using the symmetry I_x(a,b) = 1 − I_{1−x}(b,a)
    /// where the fraction converges slowly.
    public static func incompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let lnGammas: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let lnFront: Double = lnGammas + a * log(x) + b * log(1 - x)
        if x > (a + 1) / (a + b + 2) { return 1 - incompleteBeta(1 - x, a: b, b: a) }
        let tiny = 1e-300
        var c = 1.0, dd = 1 - (a + b) * x / (a + 1)
        if abs(dd) < tiny { dd = tiny }
        dd = 1 / dd
        var f = dd
        for m in 1...500 {
            let m = Double(m)
            // Even step.
            let e0: Double = (a + 2 * m - 1) * (a + 2 * m)
            var num: Double = m * (b - m) * x / e0
            dd = 1 + num * dd; if abs(dd) < tiny { dd = tiny }
            c = 1 + num / c; if abs(c) < tiny { c = tiny }
            dd = 1 / dd; f *= dd * c
            // Odd step.
            let e1: Double = (a + 2 * m) * (a + 2 * m + 1)
            num = -(a + m) * (a + b + m) * x / e1
            dd = 1 + num * dd; if abs(dd) < tiny { dd = tiny }
            c = 1 + num / c; if abs(c) < tiny { c = tiny }
            dd = 1 / dd
            let delta = dd * c
            f *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return exp(lnFront) * f / a
    }

    /// Percentile 95 % interval of the mean difference over `resamples` paired resamples of the users.
    public static func bootstrap(_ d: [Double], resamples: Int = 10_000, seed: UInt64) -> (low: Double, high: Double) {
        guard !d.isEmpty else { return (.nan, .nan) }
        var rng = SeededRandom(seed: seed, stream: "paired-bootstrap")
        var means = [Double](); means.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var s = 0.0
            for _ in d.indices { s += d[rng.below(d.count)] }
            means.append(s / Double(d.count))
        }
        return percentiles(&means)
    }

    /// Two-level bootstrap: resample seeds (paired runs) with replacement, then
    /// within each drawn seed the users with replacement; the mean difference
    /// of each resample. `d[s][u]`: seed s, user u.
    public static func hierarchicalBootstrap(_ d: [[Double]], resamples: Int = 10_000, seed: UInt64) -> (low: Double, high: Double) {
        guard !d.isEmpty, d.allSatisfy({ !$0.isEmpty }) else { return (.nan, .nan) }
        var rng = SeededRandom(seed: seed, stream: "hierarchical-bootstrap")
        var means = [Double](); means.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var s = 0.0, n = 0
            for _ in d.indices {
                let row = d[rng.below(d.count)]
                for _ in row.indices { s += row[rng.below(row.count)] }
                n += row.count
            }
            means.append(s / Double(n))
        }
        return percentiles(&means)
    }

    static func percentiles(_ v: inout [Double]) -> (low: Double, high: Double) {
        v.sort()
        let lo = v[Int((0.025 * Double(v.count - 1)).rounded(.down))], hi = v[Int((0.975 * Double(v.count - 1)).rounded(.up))]
        return (lo, hi)
    }

    /// Holm's step-down adjustment of a family of p-values (same order back).
    public static func holm(_ p: [Double]) -> [Double] {
        let m = p.count
        let order = p.indices.sorted { p[$0] < p[$1] }
        var out = [Double](repeating: 1, count: m), running = 0.0
        for (rank, i) in order.enumerated() {
            running = max(running, min(1, Double(m - rank) * p[i]))
            out[i] = running
        }
        return out
    }
}
