import Foundation

/// Exact full-gallery retrieval (docs/protocol.md): the score of item j for a user is
/// max_k U_k·e_j over items 1...n; the top N by score, ties broken by the
/// smaller id. Scores are computed block by block with sgemm and merged into a
/// running top-N per user, so no users × items matrix is ever held.
public enum Retrieval {
    /// Items per scoring block.
    static let itemBlock = 2048
    /// Users per scoring block.
    static let userBlock = 256

    /// - Parameters:
    ///   - U: interests, users × K × d; - E: the (n+1)×d embedding (row 0 skipped).
    /// - Returns: for each user, the top-N item ids, best first.
    public static func topN(U: UnsafePointer<Float>, users: Int, K: Int, d: Int,
                            E: UnsafePointer<Float>, items n: Int, N: Int) -> [[Int32]] {
        var result = [[Int32]](repeating: [], count: users)
        let N = min(N, n)
        let scores = FloatBuffer(userBlock * K * itemBlock)
        var u0 = 0
        while u0 < users {
            let nu = min(userBlock, users - u0)
            var heaps = [TopN](repeating: TopN(capacity: N), count: nu)
            var i0 = 1
            while i0 <= n {
                let ni = min(itemBlock, n + 1 - i0)
                sgemm(false, true, m: nu * K, n: ni, k: d, U + u0 * K * d, lda: d, E + i0 * d, ldb: d, scores.p, ldc: ni)
                heaps.withUnsafeMutableBufferPointer { hp in
                    parallelChunks(nu, minChunk: 8) { range in
                        for u in range {
                            for j in 0..<ni {
                                var s = scores[(u * K) * ni + j]
                                for k in 1..<max(K, 1) { s = max(s, scores[(u * K + k) * ni + j]) }
                                hp[u].offer(score: s, id: Int32(i0 + j))
                            }
                        }
                    }
                }
                i0 += ni
            }
            for u in 0..<nu { result[u0 + u] = heaps[u].sortedIDs() }
            u0 += nu
        }
        return result
    }
}

/// A bounded best-N list (score descending, id ascending on ties).
struct TopN {
    let capacity: Int
    private(set) var scores: [Float] = []
    private(set) var ids: [Int32] = []

    init(capacity: Int) { self.capacity = capacity; scores.reserveCapacity(capacity); ids.reserveCapacity(capacity) }

    @inline(__always) static func better(_ s: Float, _ i: Int32, than t: Float, _ j: Int32) -> Bool {
        s > t || (s == t && i < j)
    }

    @inline(__always) mutating func offer(score s: Float, id: Int32) {
        if scores.count == capacity {
            if !TopN.better(s, id, than: scores[capacity - 1], ids[capacity - 1]) { return }
            scores.removeLast(); ids.removeLast()
        }
        var pos = scores.count
        while pos > 0 && TopN.better(s, id, than: scores[pos - 1], ids[pos - 1]) { pos -= 1 }
        scores.insert(s, at: pos); ids.insert(id, at: pos)
    }

    func sortedIDs() -> [Int32] { ids }
}
