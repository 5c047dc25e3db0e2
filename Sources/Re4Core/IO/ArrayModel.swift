import Foundation

/// Interests computed by another model (MIND, REMI, a new one), standing in for
/// the encoder: `Evaluator.interests` returns these rows instead of running one
/// (docs/interop.md § Any model's arrays).
public struct PrecomputedInterests: Sendable {
    public let K: Int, d: Int, L: Int
    /// Data set user index → row of the arrays.
    public let rows: [Int: Int]
    /// rows × K × d.
    public let U: [Float]
    /// rows × K × L, aligned with `histories`, renormalised over each row's valid positions; nil when not given.
    public let A: [Float]?
    /// rows × L item ids (0 = padding), in the order the model read them; nil when not given.
    public let histories: [Int32]?
}

/// Reads a model's arrays into a model the analyses can use.
public enum ArrayModel {
    public struct Files: Sendable {
        public var interests: String
        public var items: String
        /// Whether `items` has a padding row 0 before items 1…n.
        public var paddingRow = false
        public var attention: String? = nil
        public var histories: String? = nil
        /// One user id per line: the user of each row of `interests`.
        public var rowUsers: String? = nil
        /// `id,title[,genres]` per item (genres joined by `|`), for data given only as arrays.
        public var itemTitles: String? = nil
        public init(interests: String, items: String) { self.interests = interests; self.items = items }
    }

    /// The model and the data set to analyse it with.
    ///
    /// With `dataset`, item j of the arrays is item j of the data (same numbering),
    /// row i of `interests` is the user `rowUsers` names (raw id) or else the i-th
    /// test user, and only those users count as test users. Without, the data is
    /// made from the arrays: each row is a user whose history is its row of
    /// `histories` (required) and nothing is held out.
    /// - Parameter maxLength: L when no `histories` are given.
    public static func load(_ f: Files, dataset: Dataset?, maxLength: Int = 20) throws -> (MultiInterestModel, Dataset) {
        func bad(_ file: String, _ what: String) -> ArrayModelError { .invalid(file: file, what: what) }
        let Ut = try Npy.read(path: f.interests)
        guard Ut.shape.count == 3, Ut.shape.allSatisfy({ $0 >= 1 }) else {
            throw bad(f.interests, "interests must be users × K × d, got shape \(Ut.shape)")
        }
        let R = Ut.shape[0], K = Ut.shape[1], d = Ut.shape[2]
        guard K <= Limits.maxInterests, d <= Limits.maxDim else { throw bad(f.interests, "K = \(K), d = \(d) exceed the limits (\(Limits.maxInterests), \(Limits.maxDim))") }
        if let i = Ut.values.firstIndex(where: { !$0.isFinite }) { throw bad(f.interests, "element \(i) is NaN or infinite") }
        let Et = try Npy.read(path: f.items)
        guard Et.shape.count == 2 else { throw bad(f.items, "item embeddings must be n × d, got shape \(Et.shape)") }
        guard Et.shape[1] == d else { throw bad(f.items, "item embeddings have \(Et.shape[1]) columns but the interests have d = \(d)") }
        let n = Et.shape[0] - (f.paddingRow ? 1 : 0)
        guard n >= 1 else { throw bad(f.items, "no items") }
        if let i = Et.values.firstIndex(where: { !$0.isFinite }) { throw bad(f.items, "element \(i) is NaN or infinite") }
        if let ds = dataset, ds.itemCount != n {
            throw bad(f.items, "\(n) items\(f.paddingRow ? " after the padding row" : "") but the data has \(ds.itemCount); give --padding-row if row 0 is padding, or the data the model was trained on")
        }
        var E = [Float](repeating: 0, count: (n + 1) * d)
        for j in (f.paddingRow ? d : 0)..<Et.values.count { E[j + (f.paddingRow ? 0 : d)] = Et.values[j] }
        for j in 0..<d { E[j] = 0 }

        var L = maxLength
        var H: [Int32]? = nil
        if let hp = f.histories {
            let (shape, ids) = try Npy.readIntegers(path: hp)
            guard shape.count == 2, shape[0] == R, shape[1] >= 1 else {
                throw bad(hp, "histories must be users × L with \(R) rows like the interests, got shape \(shape)")
            }
            guard shape[1] <= Limits.maxLength else { throw bad(hp, "L = \(shape[1]) exceeds \(Limits.maxLength)") }
            L = shape[1]
            if let i = ids.firstIndex(where: { $0 < 0 || $0 > Int64(n) }) {
                throw bad(hp, "row \(i / L), position \(i % L) holds item \(ids[i]), outside 0…\(n) (0 is padding)")
            }
            for r in 0..<R where !(0..<L).contains(where: { ids[r * L + $0] != 0 }) {
                throw bad(hp, "row \(r) has no items")
            }
            H = ids.map { Int32($0) }
        }
        var A: [Float]? = nil
        if let ap = f.attention {
            guard let H else { throw bad(ap, "attention needs --histories: the items its positions refer to") }
            let At = try Npy.read(path: ap)
            guard At.shape == [R, K, L] else { throw bad(ap, "attention must be users × K × L = [\(R), \(K), \(L)], got \(At.shape)") }
            var a = At.values
            for r in 0..<R { for k in 0..<K {
                let o = (r * K + k) * L
                var s: Float = 0
                for l in 0..<L {
                    guard a[o + l].isFinite, a[o + l] >= 0 else { throw bad(ap, "row \(r), interest \(k), position \(l) is \(a[o + l]); attention must be finite and ≥ 0") }
                    if H[r * L + l] == 0 { a[o + l] = 0 }
                    s += a[o + l]
                }
                guard s > 0 else { throw bad(ap, "row \(r), interest \(k) puts no attention on any item") }
                for l in 0..<L { a[o + l] /= s }
            } }
            A = a
        }

        var rowIDs: [String]? = nil
        if let up = f.rowUsers {
            var ids: [String] = []
            try readFile(up).withUnsafeBytes { raw in
                // One id per line, or a CSV whose header names a user column
                // (`user`, `user_id`: as `re4 export` writes users.csv).
                var column = 0
                try DelimitedText(delimiter: ",", quotes: true).forEachRow(in: raw) { line, fields in
                    if line == 1, let c = fields.firstIndex(where: { ["user", "user_id", "userid"].contains($0.trimmingCharacters(in: .whitespaces).lowercased()) }) {
                        column = c; return
                    }
                    guard fields.count > column else { throw bad(up, "line \(line) has no column \(column + 1)") }
                    let id = fields[column].trimmingCharacters(in: .whitespaces)
                    guard !id.isEmpty else { throw bad(up, "line \(line) has no user id") }
                    ids.append(id)
                }
            }
            guard ids.count == R else { throw bad(up, "\(ids.count) users for \(R) rows of interests") }
            guard Set(ids).count == R else { throw bad(up, "a user is listed twice") }
            rowIDs = ids
        }

        var ds: Dataset
        var rows: [Int: Int] = [:]
        if var given = dataset {
            var users: [Int]
            if let rowIDs {
                var index: [String: Int] = [:]
                for (u, id) in given.userIDs.enumerated() { index[id] = u }
                users = try rowIDs.enumerated().map { i, id in
                    guard let u = index[id] else { throw bad(f.rowUsers!, "user '\(id)' (row \(i)) is not in \(given.name)") }
                    return u
                }
            } else {
                users = given.users(in: .test)
                guard users.count == R else {
                    throw bad(f.interests, "\(R) rows but \(given.name) has \(users.count) test users; give --row-users with the user of each row")
                }
            }
            for (i, u) in users.enumerated() { rows[u] = i }
            // Only the users with interests are test users, so every sampler draws from them.
            for u in given.split.indices { given.split[u] = rows[u] != nil ? .test : (given.split[u] == .test ? .valid : given.split[u]) }
            ds = given
        } else {
            guard let H else { throw bad(f.interests, "without --data, give --histories (the items each row's model read)") }
            var titles = [String](repeating: "", count: n + 1), cats = [[String]](repeating: [], count: n + 1)
            if let tp = f.itemTitles { try readTitles(tp, n: n, titles: &titles, categories: &cats) }
            var seqs: [[Int32]] = []
            for r in 0..<R { seqs.append(H[(r * L)..<((r + 1) * L)].filter { $0 != 0 }.reversed()) }
            ds = Dataset(name: URL(fileURLWithPath: f.interests).deletingPathExtension().lastPathComponent,
                         itemIDs: (1...n).map(String.init), userIDs: rowIDs ?? (0..<R).map(String.init),
                         sequences: seqs, split: [SplitPart](repeating: .test, count: R),
                         itemCategories: cats, itemTitles: titles)
            ds.heldOut = false
            for r in 0..<R { rows[r] = r }
        }
        var c = ModelConfig()
        c.items = n; c.dim = d; c.interests = K; c.maxLength = L
        c.lambdaAtt = 0; c.lambdaCt = 0; c.lambdaCs = 0
        var params = ParameterSet()
        params.add(MultiInterestModel.embeddingName, shape: [n + 1, d], values: E)
        var m = MultiInterestModel(config: c, params: params)
        m.precomputed = PrecomputedInterests(K: K, d: d, L: L, rows: rows, U: Ut.values, A: A, histories: H)
        return (m, ds)
    }

    /// `id,title[,genres]` lines, id = item number 1…n; an optional header line.
    static func readTitles(_ path: String, n: Int, titles: inout [String], categories: inout [[String]]) throws {
        try readFile(path).withUnsafeBytes { raw in
            try DelimitedText(delimiter: ",", quotes: true).forEachRow(in: raw) { line, fields in
                guard let id = Int(fields[0].trimmingCharacters(in: .whitespaces)) else {
                    if line == 1 { return }  // a header
                    throw ArrayModelError.invalid(file: path, what: "line \(line): '\(fields[0].prefix(20))' is not an item number")
                }
                guard (1...n).contains(id) else { throw ArrayModelError.invalid(file: path, what: "line \(line): item \(id) is outside 1…\(n)") }
                titles[id] = fields.count > 1 ? String(fields[1]) : ""
                if fields.count > 2 { categories[id] = fields[2].split(separator: "|").map(String.init) }
            }
        }
    }
}

public enum ArrayModelError: LocalizedError, Equatable {
    case invalid(file: String, what: String)
    public var errorDescription: String? {
        switch self { case .invalid(let f, let w): return "\(f): \(w)" }
    }
}
