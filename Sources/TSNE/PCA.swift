import RealModule

/// The first two principal components of the rows of X (N × D), by power
/// iteration with deflation on the D × D covariance, in double precision.
/// Each component's sign is fixed so its largest-magnitude entry is positive.
func pcaProjection(_ x: UnsafePointer<Float>, n: Int, dim: Int, seed: UInt64) -> [Double] {
    var mean = [Double](repeating: 0, count: dim)
    for i in 0..<n { for j in 0..<dim { mean[j] += Double(x[i * dim + j]) } }
    for j in 0..<dim { mean[j] /= Double(n) }
    var cov = [Double](repeating: 0, count: dim * dim)
    for i in 0..<n {
        for a in 0..<dim {
            let va = Double(x[i * dim + a]) - mean[a]
            if va == 0 { continue }
            for b in a..<dim { cov[a * dim + b] += va * (Double(x[i * dim + b]) - mean[b]) }
        }
    }
    for a in 0..<dim { for b in 0..<a { cov[a * dim + b] = cov[b * dim + a] } }
    var rng = SplitMix64(seed: seed)
    var comps: [[Double]] = []
    for _ in 0..<min(2, dim) {
        var v = (0..<dim).map { _ in rng.normal() }
        for _ in 0..<500 {
            var w = [Double](repeating: 0, count: dim)
            for a in 0..<dim { var s = 0.0; for b in 0..<dim { s += cov[a * dim + b] * v[b] }; w[a] = s }
            for c in comps { let p = zip(w, c).reduce(0) { $0 + $1.0 * $1.1 }; for a in 0..<dim { w[a] -= p * c[a] } }
            let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm == 0 { break }
            let next = w.map { $0 / norm }
            let change = zip(next, v).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            v = next
            if change < 1e-24 { break }
        }
        if let m = v.indices.max(by: { abs(v[$0]) < abs(v[$1]) || (abs(v[$0]) == abs(v[$1]) && $0 > $1) }), v[m] < 0 { v = v.map { -$0 } }
        comps.append(v)
    }
    while comps.count < 2 { comps.append([Double](repeating: 0, count: dim)) }
    var y = [Double](repeating: 0, count: 2 * n)
    for i in 0..<n {
        for c in 0..<2 {
            var s = 0.0
            for j in 0..<dim { s += (Double(x[i * dim + j]) - mean[j]) * comps[c][j] }
            y[2 * i + c] = s
        }
    }
    return y
}
