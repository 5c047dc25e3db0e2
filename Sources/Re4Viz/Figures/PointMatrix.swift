import Foundation
import Re4Core

/// A matrix of points (N × D) read from .npy (float32/float64) or CSV, the
/// input of `re4-viz tsne --points`.
public struct PointMatrix: Sendable {
    public var n: Int
    public var dim: Int
    public var values: [Float]

    public init(n: Int, dim: Int, values: [Float]) { self.n = n; self.dim = dim; self.values = values }

    public static func read(path: String) throws -> PointMatrix {
        let m = try readUnchecked(path: path)
        if let i = m.values.firstIndex(where: { !$0.isFinite }) {
            throw VizError.badInput("\(path): row \(i / m.dim + 1), column \(i % m.dim + 1) is NaN or infinite; remove or fix that row")
        }
        return m
    }

    static func readUnchecked(path: String) throws -> PointMatrix {
        if path.hasSuffix(".npy") {
            let t = try Npy.read(path: path)
            guard t.shape.count == 2 else {
                throw VizError.badInput("\(path): expected a 2-D array (N × D), got shape \(t.shape); reshape it with X.reshape(len(X), -1)")
            }
            return PointMatrix(n: t.shape[0], dim: t.shape[1], values: t.values)
        }
        let data = try readFile(path)
        var rows: [[Float]] = []
        var firstRow = true
        try data.withUnsafeBytes { raw in
            try DelimitedText(delimiter: ",", quotes: true).forEachRow(in: raw) { line, f in
                let nums = f.map { Float($0.trimmingCharacters(in: .whitespaces)) }
                if nums.contains(where: { $0 == nil }) {
                    if firstRow { firstRow = false; return }  // a header
                    let col = nums.firstIndex(where: { $0 == nil })!
                    throw DataError.badNumber(file: path, line: line, column: "column \(col + 1)", value: String(f[col]))
                }
                firstRow = false
                let r = nums.map { $0! }
                if let d = rows.first?.count, d != r.count {
                    throw DataError.missingColumn(file: path, line: line, column: "#\(d)", found: r.count)
                }
                rows.append(r)
            }
        }
        guard let d = rows.first?.count, d > 0 else { throw DataError.empty(file: path) }
        return PointMatrix(n: rows.count, dim: d, values: rows.flatMap { $0 })
    }

    /// Writes an N × 2 embedding as float32 .npy or as CSV `x,y`, atomically.
    /// Writes N × 2 coordinates to `path`, as .npy or CSV by its extension.
    public static func writeEmbedding(_ y: [Double], n: Int, path: String) throws {
        try AtomicFile.write(embeddingBytes(y, n: n, npy: path.lowercased().hasSuffix(".npy")), to: path)
    }

    /// The bytes of `writeEmbedding`.
    public static func embeddingBytes(_ y: [Double], n: Int, npy: Bool) -> Data {
        if npy { return Npy.serialize(Tensor(shape: [n, 2], values: y.map { Float($0) })) }
        var s = "x,y\n"
        for i in 0..<n { s += "\(Float(y[2 * i])),\(Float(y[2 * i + 1]))\n" }
        return Data(s.utf8)
    }
}
