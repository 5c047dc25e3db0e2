import Foundation

/// `re4 export`: a checkpoint's item embeddings and one split's interests,
/// attention, histories and per-interest top-N as `.npy`, with CSV/TSV indexes.
///
/// Files: `items.npy` ((n+1)×d, row 0 = padding), `interests_U.npy` and
/// `interests_Z.npy` (users×K×d), `attention.npy` (users×K×L),
/// `histories.npy` (users×L int32 item numbers, 0 = padding; position l is the
/// item `attention[:, :, l]` weighs, most recent first), `top.npy`
/// (users×K×N int32: each interest's top-N items over the whole gallery),
/// `users.csv` (row, user id, split) and `items.tsv` (number, raw id, title).
public enum Export {
    /// The file names, in the order they are written.
    public static let files = ["items.npy", "interests_U.npy", "interests_Z.npy", "attention.npy", "histories.npy",
                               "top.npy", "users.csv", RunFolder.itemMapName]

    /// Computes everything first, then writes each file atomically.
    /// - Returns: the number of users exported.
    @discardableResult
    public static func write(model: MultiInterestModel, dataset ds: Dataset, part: SplitPart, top N: Int,
                             to out: String, threads: Int, inputs: [String] = []) throws -> Int {
        let c = model.config, K = c.interests, d = c.dim, L = c.maxLength
        let users = ds.users(in: part)
        let (r, tops) = Threads.run(threads) { () -> ((U: FloatBuffer, Z: FloatBuffer?, A: FloatBuffer?), [[Int32]]) in
            let r = Evaluator.interestsBound(model: model, dataset: ds, users: users, keepZA: true)
            let tops = Retrieval.topN(U: r.U.p, users: users.count * K, K: 1, d: d, E: model.embedding, items: c.items, N: N)
            return (r, tops)
        }
        var hist = [Int32](repeating: 0, count: users.count * L)
        hist.withUnsafeMutableBufferPointer { p in
            for (i, u) in users.enumerated() { _ = ds.history(user: u, cut: ds.evaluationCut(user: u), length: L, into: p.baseAddress! + i * L) }
        }
        let n = min(N, c.items)
        var topFlat = [Int32](repeating: 0, count: users.count * K * n)
        for (i, t) in tops.enumerated() { for (j, id) in t.prefix(n).enumerated() { topFlat[i * n + j] = id } }
        let blobs: [Data] = [
            Npy.serialize(Tensor(shape: [c.items + 1, d], values: model.params.values(MultiInterestModel.embeddingName))),
            Npy.serialize(Tensor(shape: [users.count, K, d], values: r.U.array)),
            Npy.serialize(Tensor(shape: [users.count, K, d], values: r.Z!.array)),
            Npy.serialize(Tensor(shape: [users.count, K, L], values: r.A!.array)),
            Npy.serialize(int32: hist, shape: [users.count, L]),
            Npy.serialize(int32: topFlat, shape: [users.count, K, n]),
            Data(("row,user,split\n" + users.enumerated().map { "\($0.offset),\(CSV.field(ds.userIDs[$0.element])),\(part.name)\n" }.joined()).utf8),
            Data(ds.itemMapTSV.utf8),
        ]
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let outputs = try OutputSet(outputs: files.map { out + "/" + $0 }, inputs: inputs)
        for (name, data) in zip(files, blobs) { try outputs.stage(out + "/" + name, data: data) }
        try outputs.commit()
        return users.count
    }
}

/// RFC 4180 fields: quoted when they hold a comma, a quote or a line break.
public enum CSV {
    public static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public static func row(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") }
}
