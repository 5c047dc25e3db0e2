import Foundation

/// `re4 export`: a checkpoint as an interest bundle (`InterestBundle`,
/// docs/bundle.md), which every analysis reads back as a model, plus extras.
///
/// Bundle files: `bundle.json`, `interests.npy` (U, users×K×d), `items.npy`
/// ((n+1)×d, row 0 = padding), `histories.npy` (users×L int32 item numbers,
/// 0 = padding; position l is the item `attention[:, :, l]` weighs, most
/// recent first), `attention.npy` (users×K×L), `users.csv` (row, user id,
/// split), `items.csv` (id, title, genres). Extras: `interests_Z.npy` (the raw
/// interests), `top.npy` (users×K×N int32: each interest's top-N items over the
/// whole gallery) and `items.tsv` (number, raw id, title).
public enum Export {
    /// The file names, in the order they are written.
    public static let files = [InterestBundle.manifestName, "items.npy", "interests.npy", "interests_Z.npy", "attention.npy", "histories.npy",
                               "top.npy", "users.csv", "items.csv", RunFolder.itemMapName]

    /// Computes everything first, then writes each file atomically.
    /// - Returns: the number of users exported.
    @discardableResult
    public static func write(model: MultiInterestModel, dataset ds: Dataset, part: SplitPart, top N: Int,
                             to out: String, threads: Int, inputs: [String] = [], name: String? = nil) throws -> Int {
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
            InterestBundle.manifestJSON(InterestBundle.Manifest(model: name, paddingRow: true)),
            Npy.serialize(Tensor(shape: [c.items + 1, d], values: model.params.values(MultiInterestModel.embeddingName))),
            Npy.serialize(Tensor(shape: [users.count, K, d], values: r.U.array)),
            Npy.serialize(Tensor(shape: [users.count, K, d], values: r.Z!.array)),
            Npy.serialize(Tensor(shape: [users.count, K, L], values: r.A!.array)),
            Npy.serialize(int32: hist, shape: [users.count, L]),
            Npy.serialize(int32: topFlat, shape: [users.count, K, n]),
            Data(("row,user,split\n" + users.enumerated().map { "\($0.offset),\(CSV.field(ds.userIDs[$0.element])),\(part.name)\n" }.joined()).utf8),
            Data(InterestBundle.itemsCSV(ds).utf8),
            Data(ds.itemMapTSV.utf8),
        ]
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let outputs = try OutputSet(outputs: files.map { out + "/" + $0 }, inputs: inputs)
        for (name, data) in zip(files, blobs) { try outputs.stage(out + "/" + name, data: data) }
        try outputs.commit()
        return users.count
    }
}

extension Export {
    /// What `re4 export` writes.
    public enum Format: String, Sendable, CaseIterable {
        /// The `.npy` arrays with their indexes.
        case npy
        /// TensorBoard's Embedding Projector: `tensors.tsv`, `metadata.tsv`, `projector_config.pbtxt`.
        case projector
    }

    public static let projectorFiles = ["tensors.tsv", "metadata.tsv", "projector_config.pbtxt"]

    /// The items (1…n) and then every user's K interests U as rows of
    /// `tensors.tsv`, each described in `metadata.tsv` (kind, id, title, genres,
    /// user, interest), and the config the Projector reads (load it with
    /// `tensorboard --logdir OUT` or paste the two TSVs into projector.tensorflow.org).
    @discardableResult
    public static func writeProjector(model: MultiInterestModel, dataset ds: Dataset, part: SplitPart,
                                      to out: String, threads: Int, inputs: [String] = []) throws -> Int {
        let c = model.config, K = c.interests, d = c.dim
        let users = ds.users(in: part)
        let U = Threads.run(threads) { Evaluator.interestsBound(model: model, dataset: ds, users: users, keepZA: false).U.array }
        let E = model.params.values(MultiInterestModel.embeddingName)
        func row(_ v: ArraySlice<Float>) -> String { v.map { "\($0)" }.joined(separator: "\t") + "\n" }
        // The Projector splits metadata on tabs and lines: neither may appear inside a field.
        func clean(_ s: String) -> String { s.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ") }
        var tensors = "", meta = "kind\tid\ttitle\tgenres\tuser\tinterest\n"
        for j in 1...c.items {
            tensors += row(E[(j * d)..<((j + 1) * d)])
            let title = ds.itemTitles.indices.contains(j) ? ds.itemTitles[j] : ""
            meta += "item\t\(clean(ds.itemIDs[j - 1]))\t\(clean(title))\t\(clean(ds.itemCategories.indices.contains(j) ? ds.itemCategories[j].joined(separator: "|") : ""))\t\t\n"
        }
        for (i, u) in users.enumerated() {
            for k in 0..<K {
                tensors += row(U[((i * K + k) * d)..<((i * K + k + 1) * d)])
                meta += "interest\t\(clean(ds.userIDs[u])):\(k + 1)\t\t\t\(clean(ds.userIDs[u]))\t\(k + 1)\n"
            }
        }
        let config = "embeddings {\n  tensor_name: \(protobufString("\(ds.name): items and \(part.name) users' interests"))\n  tensor_path: \"tensors.tsv\"\n  metadata_path: \"metadata.tsv\"\n}\n"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let outputs = try OutputSet(outputs: projectorFiles.map { out + "/" + $0 }, inputs: inputs)
        for (name, text) in zip(projectorFiles, [tensors, meta, config]) { try outputs.stage(out + "/" + name, data: Data(text.utf8)) }
        try outputs.commit()
        return users.count
    }
}

/// A string in protobuf text format (what `projector_config.pbtxt` is): quoted,
/// with backslash, quotes and control characters escaped.
public func protobufString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\\": out += "\\\\"
        case "\"": out += "\\\""
        case "'": out += "\\'"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if u.value < 0x20 { out += String(format: "\\%03o", u.value) } else { out.unicodeScalars.append(u) }
        }
    }
    return out + "\""
}

/// RFC 4180 fields: quoted when they hold a comma, a quote or a line break.
public enum CSV {
    public static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public static func row(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") }
}
