/// The timestamps of an interaction log, 4 bytes a row when they allow it.
///
/// Logs usually carry whole seconds. While every value is a whole number
/// within ±2³¹ of the first one, the column keeps the Int32 offsets from that
/// first value; the first value that is not (a fraction, milliseconds spanning
/// more than 24 days, a huge number) turns the column into Doubles, once.
/// Reading a value back gives exactly the Double that was stored, since a
/// whole number below 2⁵³ and its offset are both exact in a Double.
struct TimeColumn: Sendable, Equatable {
    private(set) var base: Double = 0
    private(set) var narrow: [Int32] = []
    private(set) var wide: [Double]? = nil

    var count: Int { wide?.count ?? narrow.count }
    /// Whether values are kept as offsets (4 bytes a row).
    var isNarrow: Bool { wide == nil }

    init() {}
    init(_ values: [Double]) { reserve(values.count); for v in values { append(v) } }

    mutating func reserve(_ n: Int) {
        if wide != nil { wide!.reserveCapacity(n) } else { narrow.reserveCapacity(n) }
    }

    @inline(__always)
    mutating func append(_ t: Double) {
        if wide == nil {
            let whole = t.rounded() == t && abs(t) < 0x1p53
            if whole && narrow.isEmpty { base = t }
            let d = t - base
            if whole && d >= -0x1p31 && d < 0x1p31 { narrow.append(Int32(d)); return }
            widen()
        }
        wide!.append(t)
    }

    private mutating func widen() {
        var w = [Double]()
        w.reserveCapacity(Swift.max(narrow.capacity, narrow.count + 1))
        for d in narrow { w.append(base + Double(d)) }
        narrow = []
        wide = w
    }

    subscript(i: Int) -> Double {
        if let wide { return wide[i] }
        return base + Double(narrow[i])
    }

    var values: [Double] { (0..<count).map { self[$0] } }

    var range: ClosedRange<Double>? {
        if let wide { return wide.min().flatMap { lo in wide.max().map { lo...$0 } } }
        guard let lo = narrow.min(), let hi = narrow.max() else { return nil }
        return (base + Double(lo))...(base + Double(hi))
    }

    /// Reorders the rows in place, and `companion`'s with them: row r moves to
    /// position `dest[r]` (a permutation), in one walk over its cycles.
    mutating func moveRows(to dest: UnsafeBufferPointer<Int32>, companion: inout [Int32]) {
        if wide != nil { moveRowsInPlace(&wide!, &companion, to: dest) } else { moveRowsInPlace(&narrow, &companion, to: dest) }
    }

    /// Sorts rows a..<b by time, ties keeping their order, unless they are
    /// already in order; applies the same reordering to `companion`.
    mutating func stableSortSegment(_ a: Int, _ b: Int, companion: inout [Int32], scratch: inout [Int32]) {
        if wide != nil { sortSegment(&wide!, a, b, &companion, &scratch) } else { sortSegment(&narrow, a, b, &companion, &scratch) }
    }
}

/// Moves a[r] to a[dest[r]] and b[r] to b[dest[r]] for every r, following the
/// permutation's cycles (one bit a row marks the rows placed; no second array
/// of the rows' size). Both arrays move in the same walk: on a shuffled log
/// each step is a cache miss, so one walk costs half of two.
func moveRowsInPlace<T, U>(_ a: inout [T], _ b: inout [U], to dest: UnsafeBufferPointer<Int32>) {
    let n = a.count
    precondition(dest.count == n && b.count == n)
    var placed = [UInt64](repeating: 0, count: (n + 63) / 64)
    a.withUnsafeMutableBufferPointer { va in
        b.withUnsafeMutableBufferPointer { vb in
            for start in 0..<n where placed[start >> 6] & (1 << UInt64(start & 63)) == 0 {
                var ca = va[start], cb = vb[start]
                var j = Int(dest[start])
                while true {
                    placed[j >> 6] |= 1 << UInt64(j & 63)
                    if j == start { va[start] = ca; vb[start] = cb; break }
                    swap(&ca, &va[j]); swap(&cb, &vb[j])
                    j = Int(dest[j])
                }
            }
        }
    }
}

private func sortSegment<T: Comparable>(_ t: inout [T], _ a: Int, _ b: Int, _ companion: inout [Int32], _ scratch: inout [Int32]) {
    var sorted = true
    for i in (a + 1)..<Swift.max(a + 1, b) where t[i] < t[i - 1] { sorted = false; break }
    if sorted { return }
    scratch.removeAll(keepingCapacity: true)
    scratch.append(contentsOf: (Int32(a)..<Int32(b)))
    scratch.sort { x, y in t[Int(x)] < t[Int(y)] || (t[Int(x)] == t[Int(y)] && x < y) }
    let times = scratch.map { t[Int($0)] }, items = scratch.map { companion[Int($0)] }
    for k in 0..<(b - a) { t[a + k] = times[k]; companion[a + k] = items[k] }
}
