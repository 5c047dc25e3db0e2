/// A batch of histories in the form the encoders and losses use: each history
/// position points into a list of the batch's distinct items, whose embeddings
/// `Xu` are gathered once. Per-item work (the attention MLP, X·W2) is then done
/// once per distinct item instead of once per position — the same sums in a
/// different order, and far fewer FLOPs when B·L exceeds the distinct count.
public struct HistoryBatch: @unchecked Sendable {
    public let B: Int
    public let L: Int
    public let d: Int
    /// Item id at each position (B·L, 0 = padding), most recent first.
    public let items: [Int32]
    /// Index into `unique` for each position (B·L), -1 at padding.
    public let idx: [Int32]
    /// True history length of each example (B), ≥ 1.
    public let lengths: [Int32]
    /// The distinct items of the batch, in order of first appearance.
    public let unique: [Int32]
    /// Their embeddings, `unique.count × d`.
    public let Xu: FloatBuffer
    /// Target item of each example (training) or empty (evaluation).
    public let targets: [Int32]

    public var nu: Int { unique.count }

    /// - Parameters:
    ///   - items: B·L ids, 0-padded on the right of each row.
    ///   - embedding: the (n+1)×d table.
    ///   - scratch: an n+1 array of -1s (restored before returning), to avoid
    ///     allocating a map per batch.
    public init(items: [Int32], B: Int, L: Int, targets: [Int32], embedding: UnsafePointer<Float>, d: Int,
                scratch: inout [Int32]) {
        self.B = B; self.L = L; self.d = d; self.items = items; self.targets = targets
        var idx = [Int32](repeating: -1, count: B * L)
        var lengths = [Int32](repeating: 0, count: B)
        var unique: [Int32] = []
        unique.reserveCapacity(min(B * L, scratch.count))
        for b in 0..<B {
            var len: Int32 = 0
            for l in 0..<L {
                let it = items[b * L + l]
                if it == 0 { continue }
                len += 1
                var u = scratch[Int(it)]
                if u < 0 { u = Int32(unique.count); scratch[Int(it)] = u; unique.append(it) }
                idx[b * L + l] = u
            }
            lengths[b] = len
        }
        for it in unique { scratch[Int(it)] = -1 }
        let X = FloatBuffer(unique.count * d)
        for (u, it) in unique.enumerated() {
            (X.p + u * d).update(from: embedding + Int(it) * d, count: d)
        }
        self.idx = idx; self.lengths = lengths; self.unique = unique; self.Xu = X
    }
}
