import Foundation

/// The interest bundle: any multi-interest model's output as a folder every
/// analysis reads (docs/bundle.md). `re4 export` writes one; a few lines of
/// numpy write one from any PyTorch model.
///
///     bundle.json     {"format": 1, "model": "…", "padding_row": true, "metric": "dot"}
///     interests.npy   users × K × d, float32/float64
///     items.npy       n × d (items 1…n), or (n+1) × d with "padding_row": true
///     histories.npy   users × L item numbers (0 = padding), optional
///     attention.npy   users × K × L, optional (needs histories)
///     users.csv       the user of each row (a `user` column, or one id per line), optional
///     items.csv       id,title,genres (id = item number 1…n, genres joined by |), optional
public enum InterestBundle {
    public static let formatVersion = 1
    public static let manifestName = "bundle.json"

    public struct Manifest: Codable, Sendable, Equatable {
        public var format: Int
        /// The model's name, used as its label when none is given.
        public var model: String?
        public var paddingRow: Bool
        /// How interests meet items: "dot" (inner product, as ComiRec and Re4 score).
        public var metric: String
        enum CodingKeys: String, CodingKey { case format, model, paddingRow = "padding_row", metric }
        public init(model: String?, paddingRow: Bool, metric: String = "dot") {
            format = InterestBundle.formatVersion; self.model = model; self.paddingRow = paddingRow; self.metric = metric
        }
    }

    /// Whether `path` is a folder with a `bundle.json`.
    public static func isBundle(_ path: String) -> Bool {
        var dir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &dir) && dir.boolValue
            && FileManager.default.fileExists(atPath: path + "/" + manifestName)
    }

    /// Reads and checks the manifest.
    public static func manifest(_ folder: String) throws -> Manifest {
        let path = folder + "/" + manifestName
        let data = try readFile(path)
        guard data.count <= 1 << 20 else { throw ArrayModelError.invalid(file: path, what: "\(data.count) bytes; a bundle manifest is a few lines of JSON") }
        let m: Manifest
        do { m = try JSONDecoder().decode(Manifest.self, from: data) } catch {
            throw ArrayModelError.invalid(file: path, what: "not a bundle manifest (\(error.localizedDescription)); it needs format, padding_row and metric")
        }
        guard m.format == formatVersion else {
            throw ArrayModelError.invalid(file: path, what: "format \(m.format); this toolkit reads format \(formatVersion)")
        }
        guard m.metric == "dot" else {
            throw ArrayModelError.invalid(file: path, what: "metric '\(m.metric)'; the analyses score interests against items by inner product ('dot'); normalise the vectors first for cosine")
        }
        return m
    }

    /// The array files of a bundle, for `ArrayModel.load`.
    public static func files(_ folder: String) throws -> ArrayModel.Files {
        let m = try manifest(folder)
        func have(_ name: String) -> String? { FileManager.default.fileExists(atPath: folder + "/" + name) ? folder + "/" + name : nil }
        guard let interests = have("interests.npy") else { throw ArrayModelError.invalid(file: folder, what: "no interests.npy (users × K × d) in the bundle") }
        guard let items = have("items.npy") else { throw ArrayModelError.invalid(file: folder, what: "no items.npy (n × d item embeddings) in the bundle") }
        var f = ArrayModel.Files(interests: interests, items: items)
        f.paddingRow = m.paddingRow
        f.histories = have("histories.npy"); f.attention = have("attention.npy")
        f.rowUsers = have("users.csv"); f.itemTitles = have("items.csv")
        if f.attention != nil && f.histories == nil {
            throw ArrayModelError.invalid(file: folder, what: "attention.npy needs histories.npy (the items its positions refer to)")
        }
        return f
    }

    /// `items.csv`: id,title,genres for items 1…n.
    public static func itemsCSV(_ ds: Dataset) -> String {
        var s = "id,title,genres\n"
        for j in 1...max(1, ds.itemCount) where j <= ds.itemCount {
            let t = ds.itemTitles.indices.contains(j) && !ds.itemTitles[j].isEmpty ? ds.itemTitles[j] : ds.itemIDs[j - 1]
            let g = ds.itemCategories.indices.contains(j) ? ds.itemCategories[j].joined(separator: "|") : ""
            s += CSV.row(["\(j)", t, g]) + "\n"
        }
        return s
    }

    public static func manifestJSON(_ m: Manifest) -> Data {
        let e = JSONEncoder(); e.outputFormatting = [.sortedKeys, .prettyPrinted]
        return (try? e.encode(m)).map { $0 + Data("\n".utf8) } ?? Data()
    }
}
