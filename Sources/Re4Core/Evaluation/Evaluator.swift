import Foundation

/// Computes users' interests for a split and scores the full gallery.
public enum Evaluator {
    /// Users evaluated per encoder batch.
    static let batchSize = 512

    /// Interests U (and, if asked, Z and A) for the evaluation history of each user:
    /// the up-to-L items before c = ⌊0.8·m⌋, most recent first.
    public static func interests(model: MultiInterestModel, dataset: Dataset, users: [Int], keepZA: Bool = false,
                                 threads: Int = 1) -> (U: FloatBuffer, Z: FloatBuffer?, A: FloatBuffer?) {
        Threads.run(threads) { interestsBound(model: model, dataset: dataset, users: users, keepZA: keepZA) }
    }

    static func interestsBound(model: MultiInterestModel, dataset: Dataset, users: [Int],
                               keepZA: Bool) -> (U: FloatBuffer, Z: FloatBuffer?, A: FloatBuffer?) {
        let K = model.config.interests, d = model.config.dim, L = model.config.maxLength
        let U = FloatBuffer(users.count * K * d)
        let Z = keepZA ? FloatBuffer(users.count * K * d) : nil
        let A = keepZA ? FloatBuffer(users.count * K * L) : nil
        if let pre = model.precomputed {
            for (i, u) in users.enumerated() {
                guard let r = pre.rows[u] else { preconditionFailure("user \(u) has no row in the arrays") }
                pre.U.withUnsafeBufferPointer { src in
                    (U.p + i * K * d).update(from: src.baseAddress! + r * K * d, count: K * d)
                    if let Z { (Z.p + i * K * d).update(from: src.baseAddress! + r * K * d, count: K * d) }
                }
                if let A, let a = pre.A { a.withUnsafeBufferPointer { (A.p + i * K * L).update(from: $0.baseAddress! + r * K * L, count: K * L) } }
            }
            return (U, Z, A)
        }
        var scratch = [Int32](repeating: -1, count: model.config.items + 1)
        var s = 0
        while s < users.count {
            let B = min(batchSize, users.count - s)
            var items = [Int32](repeating: 0, count: B * L)
            items.withUnsafeMutableBufferPointer { p in
                for i in 0..<B {
                    let u = users[s + i]
                    _ = dataset.history(user: u, cut: dataset.evaluationCut(user: u), length: L, into: p.baseAddress! + i * L)
                }
            }
            let batch = model.batch(items: items, B: B, targets: [], scratch: &scratch)
            let st = model.encode(batch)
            (U.p + s * K * d).update(from: st.U.p, count: B * K * d)
            if let Z { (Z.p + s * K * d).update(from: st.Z.p, count: B * K * d) }
            if let A { (A.p + s * K * L).update(from: st.A.p, count: B * K * L) }
            s += B
        }
        return (U, Z, A)
    }

    /// Recall/NDCG/HitRate@20/50 over the users of one split.
    public static func evaluate(model: MultiInterestModel, dataset: Dataset, part: SplitPart, threads: Int = 1,
                                progress: (Int) -> Void = { _ in }) -> [String: Double] {
        evaluate(model: model, dataset: dataset, users: dataset.users(in: part), threads: threads, progress: progress)
    }

    /// - Parameter progress: called with the number of users ranked so far, every `progressChunk`.
    public static func evaluate(model: MultiInterestModel, dataset: Dataset, users: [Int], threads: Int = 1,
                                progress: (Int) -> Void = { _ in }) -> [String: Double] {
        evaluateKeepingUsers(model: model, dataset: dataset, users: users, threads: threads, progress: progress).metrics
    }

    /// The split's metrics and every user's values (`RankingMetrics.names()`
    /// order) from one ranking; the means are those of `evaluate`, bit for bit.
    public static func evaluateKeepingUsers(model: MultiInterestModel, dataset: Dataset, users: [Int], threads: Int = 1,
                                            progress: (Int) -> Void = { _ in }) -> (metrics: [String: Double], perUser: [[Double]]) {
        guard !users.isEmpty else { return ([:], []) }
        let tops = topLists(model: model, dataset: dataset, users: users, N: RankingMetrics.cutoffs.max()!, threads: threads, progress: progress)
        let rows = zip(tops, users).map { RankingMetrics.perUser(top: $0, truth: Array(dataset.groundTruth(user: $1))) }
        return (RankingMetrics.mean(perUser: rows), rows)
    }

    /// Per-user rows as the CSV of `re4 evaluate --per-user`: `user,split,` then `RankingMetrics.names(cutoffs:)`.
    /// Each value is written in the shortest form that reads back as the same
    /// Double, so a paired test on the file is the test on the model: rounded to
    /// six decimals, differences that were equal came apart and moved the
    /// Wilcoxon ranks (p 0.0649 against 0.0647 on ML-1M).
    public static func perUserCSV(dataset: Dataset, users: [Int], rows: [[Double]], cutoffs: [Int] = RankingMetrics.cutoffs) -> String {
        var s = CSV.row(["user", "split"] + RankingMetrics.names(cutoffs: cutoffs)) + "\n"
        for (u, v) in zip(users, rows) {
            s += CSV.row([dataset.userIDs[u], dataset.split[u].name] + v.map { "\($0)" }) + "\n"
        }
        return s
    }

    /// Each user's top-N items over the whole gallery (max over the K interests).
    /// Users per progress report: a multiple of the encoding batch and of the
    /// retrieval block, so each user's lists are computed exactly as in one pass.
    public static let progressChunk = 4 * batchSize
    static let _chunkIsAMultiple: Void = precondition(progressChunk % batchSize == 0 && progressChunk % Retrieval.userBlock == 0)

    public static func topLists(model: MultiInterestModel, dataset: Dataset, users: [Int], N: Int, threads: Int = 1,
                                progress: (Int) -> Void = { _ in }) -> [[Int32]] {
        _ = _chunkIsAMultiple
        return Threads.run(threads) {
            var out: [[Int32]] = []
            out.reserveCapacity(users.count)
            var s = 0
            while s < users.count {
                let part = Array(users[s..<min(users.count, s + progressChunk)])
                let U = interestsBound(model: model, dataset: dataset, users: part, keepZA: false).U
                out += Retrieval.topN(U: U.p, users: part.count, K: model.config.interests, d: model.config.dim,
                                      E: model.embedding, items: model.config.items, N: N)
                s += part.count
                progress(s)
            }
            return out
        }
    }

    /// Every user's metrics at `cutoffs`, as CSV: `user,split,` then `RankingMetrics.names(cutoffs:)`.
    public static func perUserCSV(model: MultiInterestModel, dataset: Dataset, users: [Int], cutoffs: [Int], threads: Int = 1) -> String {
        let tops = topLists(model: model, dataset: dataset, users: users, N: cutoffs.max() ?? 50, threads: threads)
        let rows = zip(tops, users).map { RankingMetrics.perUser(top: $0, truth: Array(dataset.groundTruth(user: $1)), cutoffs: cutoffs) }
        return perUserCSV(dataset: dataset, users: users, rows: rows, cutoffs: cutoffs)
    }
}
