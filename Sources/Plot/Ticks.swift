import Foundation

/// Tick positions by matplotlib's MaxNLocator rule ("nice numbers": steps 1, 2,
/// 2.5, 5, 10 times a power of ten; at most `maxIntervals` intervals; at least
/// two ticks inside the view), and labels as matplotlib's ScalarFormatter prints
/// them: every label with the decimals the step needs, U+2212 for minus.
public enum Ticks {
    static let steps: [Double] = [1, 2, 2.5, 5, 10]

    /// Ticks inside [lo, hi].
    /// With `integer` (MaxNLocator(integer=True)), steps above 1 are whole numbers,
    /// and when the range holds two or more integers no step is below 1.
    public static func locate(_ lo: Double, _ hi: Double, maxIntervals: Int = 9, integer: Bool = false) -> [Double] {
        guard lo.isFinite, hi.isFinite else { return [] }
        if hi <= lo { return [lo] }
        let (scale, offset) = scaleRange(lo, hi, n: Double(maxIntervals))
        let vmin = lo - offset, vmax = hi - offset
        let raw = (vmax - vmin) / Double(maxIntervals)
        var extended: [Double] = steps.dropLast().map { $0 * 0.1 } + steps + [10 * steps[1]]
        extended = extended.map { $0 * scale }
        if integer {
            extended = extended.filter { $0 < 1 || abs($0 - $0.rounded()) < 0.001 }
            if (vmax + offset).rounded(.down) - (vmin + offset).rounded(.up) >= 1 { extended = extended.filter { $0 >= 1 } }
            if extended.isEmpty { extended = [1] }
        }
        let istep = extended.firstIndex { $0 >= raw } ?? (extended.count - 1)
        var ticks: [Double] = []
        for step in extended[0...istep].reversed() {
            let best = (vmin / step).rounded(.down) * step
            let low = edgeLE((vmin - best) / step, step: step, offset: offset)
            let high = edgeGE((vmax - best) / step, step: step, offset: offset)
            ticks = stride(from: low, through: high, by: 1).map { Double($0) * step + best }
            let inside = ticks.filter { $0 >= vmin && $0 <= vmax }.count
            if inside >= 2 { break }
        }
        let eps = 1e-10 * (hi - lo)
        return ticks.map { $0 + offset }.filter { $0 >= lo - eps && $0 <= hi + eps }.map { clean($0, hi - lo) }
    }

    /// Rounds away binary noise (0.30000000000000004 → 0.3) relative to the range.
    static func clean(_ v: Double, _ range: Double) -> Double {
        let q = pow(10, (log10(range) - 12).rounded(.down))
        let r = (v / q).rounded() * q
        return abs(r) < q ? 0 : r
    }

    static func scaleRange(_ lo: Double, _ hi: Double, n: Double) -> (Double, Double) {
        let dv = abs(hi - lo)
        let meanv = (hi + lo) / 2
        var offset = 0.0
        if abs(meanv) / dv >= 100 { offset = copysign(pow(10, log10(abs(meanv)).rounded(.down)), meanv) }
        let scale = pow(10, log10(dv / n).rounded(.down))
        return (scale, offset)
    }

    /// matplotlib's _Edge_integer: floor/ceil with a tolerance for rounding error.
    static func closeTo(_ ms: Double, _ edge: Double, step: Double, offset: Double) -> Bool {
        let tol: Double
        if offset > 0 { let digits = log10(offset / step); tol = max(1e-10, pow(10, digits - 12)); return abs(ms - edge) < min(0.4999, tol) }
        tol = 1e-10
        return abs(ms - edge) < tol
    }
    static func edgeLE(_ x: Double, step: Double, offset: Double) -> Int {
        let d = x.rounded(.down), m = x - d
        return closeTo(m, 1, step: step, offset: offset) ? Int(d) + 1 : Int(d)
    }
    static func edgeGE(_ x: Double, step: Double, offset: Double) -> Int {
        let d = x.rounded(.down), m = x - d
        return closeTo(m, 0, step: step, offset: offset) ? Int(d) : Int(d) + 1
    }

    /// Labels with a shared number of decimals: the fewest that print every tick
    /// exactly (so 2.5 gets "2.5" and its neighbours "5.0", as matplotlib does).
    /// Ticks whose largest magnitude is under 10⁻⁴ or at least 10⁶ share one power
    /// of ten: "1.5×10⁻⁷" (matplotlib moves that power to the axis's corner; here
    /// each label carries it), so small values never print as "0".
    public static func labels(_ ticks: [Double]) -> [String] {
        guard !ticks.isEmpty else { return [] }
        let big = ticks.map { abs($0) }.max()!
        if big > 0, big < 1e-4 || big >= 1e6 {
            let k = Int(log10(big).rounded(.down)), p = pow(10, Double(k))
            let raised: [Character: Character] = ["0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵",
                                                  "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻"]
            let power = "×10" + String(String(k).map { raised[$0]! })
            let mantissas = labels(ticks.map { clean($0 / p, big / p) })
            return zip(ticks, mantissas).map { $0 == 0 ? "0" : $1 + power }
        }
        var decimals = 0
        while decimals < 12 {
            let f = pow(10, Double(decimals))
            if ticks.allSatisfy({ abs(($0 * f).rounded() - $0 * f) < 1e-6 * max(1, abs($0 * f)) }) { break }
            decimals += 1
        }
        return ticks.map { v in
            let s = String(format: "%.\(decimals)f", abs(v) < 1e-300 ? 0 : v)
            return s.hasPrefix("-") ? "\u{2212}" + s.dropFirst() : s
        }
    }

    /// matplotlib's "auto" bin count: an axis holds a tick per 3 font sizes (x)
    /// or 2 font sizes (y) of its length, at most 9 intervals.
    public static func maxIntervals(axisLength: Double, fontSize: Double, horizontal: Bool) -> Int {
        min(9, max(1, Int((axisLength / (fontSize * (horizontal ? 3 : 2))).rounded(.down))))
    }

    /// Log-scale ticks: the powers of ten inside [lo, hi] (lo > 0). An axis that
    /// holds fewer than two of them takes 1, 2 and 5 times the powers (and 3 when
    /// that gives fewer than three ticks), or every 1…9 times them within 0.4 of
    /// a decade — as matplotlib labels its minor ticks on a short log axis.
    public static func locateLog(_ lo: Double, _ hi: Double) -> [Double] {
        guard lo > 0, hi > lo else { return [] }
        let a = Int(log10(lo).rounded(.up)), b = Int(log10(hi).rounded(.down))
        let powers = a <= b ? (a...b).map { pow(10, Double($0)) } : []
        if powers.count >= 2 { return powers }
        let k0 = Int(log10(lo).rounded(.down)), k1 = Int(log10(hi).rounded(.up))
        func inside(_ mantissas: [Double]) -> [Double] {
            var out: [Double] = []
            for k in k0...k1 {
                let p = pow(10, Double(k))
                for m in mantissas where m * p >= lo * (1 - 1e-12) && m * p <= hi * (1 + 1e-12) { out.append(m * p) }
            }
            return out
        }
        // Within 0.4 of a decade every digit; otherwise 1, 2, 5 (and 3 when that gives fewer than three).
        if log10(hi / lo) <= 0.4 { return inside([1, 2, 3, 4, 5, 6, 7, 8, 9]) }
        let some = inside([1, 2, 5])
        return some.count >= 3 ? some : inside([1, 2, 3, 5])
    }

    /// Log-axis labels as matplotlib's default formatter writes them: 10 with the
    /// exponent raised (10⁰, 10³, 10⁻²), so every decade reads the same way; a
    /// tick between powers as its digit times the power (2×10⁻¹).
    public static func logLabels(_ ticks: [Double]) -> [String] {
        let raised: [Character: Character] = ["0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵",
                                              "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻"]
        return ticks.map { v in
            let e = log10(v), below = e.rounded(.down)
            let k = Int(e - below > 1 - 1e-9 ? below + 1 : below)
            let m = (v / pow(10, Double(k))).rounded()
            let power = "10" + String(String(k).map { raised[$0]! })
            return m == 1 ? power : "\(Int(m))×" + power
        }
    }
}
