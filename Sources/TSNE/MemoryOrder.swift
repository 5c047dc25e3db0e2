/// The optimisation's memory order (docs/tsne.md § Memory order): point
/// `order[r]` is optimised as point r, where `order` is the leaf order of one
/// random-projection tree over the input, so most of a point's input
/// neighbours, the rows of P it reads y at, sit a few cache lines from it.
/// The attractive forces' gathers of y_j then mostly hit the cache.
struct MemoryOrder {
    /// order[r] is the input point optimised as point r; position[i] = r, its inverse.
    let order: [Int32], position: [Int32]

    init(_ x: [Float], n: Int, dim: Int, seed: UInt64) {
        order = x.withUnsafeBufferPointer {
            NeighborGraph.buildTree($0.baseAddress!, n: n, dim: dim, leaf: 16, seed: seed ^ 0x6C6F_6361_6C69_7479).0
        }
        var position = [Int32](repeating: 0, count: n)
        for (r, i) in order.enumerated() { position[Int(i)] = Int32(r) }
        self.position = position
    }

    /// P and y (n × 2) renamed into the memory order.
    func enter(_ P: inout SparseAffinities, _ y: inout [Double]) {
        P = P.renamed(order: order, newIndex: position)
        let old = y
        for (r, i) in order.enumerated() { y[2 * r] = old[2 * Int(i)]; y[2 * r + 1] = old[2 * Int(i) + 1] }
    }

    /// Back to the input's order: P byte for byte as it was, y row by row.
    func leave(_ P: inout SparseAffinities, _ y: inout [Double]) {
        P = P.renamed(order: position, newIndex: order)
        let old = y
        for (r, i) in order.enumerated() { y[2 * Int(i)] = old[2 * r]; y[2 * Int(i) + 1] = old[2 * r + 1] }
    }
}
