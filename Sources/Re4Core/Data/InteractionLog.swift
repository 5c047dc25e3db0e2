import Foundation

/// Interactions as read from a file, before renumbering: raw user and item ids
/// (strings, since RecBole's MovieLens uses titles as ids) and a timestamp.
public struct InteractionLog: Sendable {
    public var source: String
    public var users: [String] = []
    public var items: [String] = []
    public var times: [Double] = []

    public init(source: String) { self.source = source }
    public var count: Int { users.count }
}

/// Where a column is: by 0-based index, or by header name. For RecBole's typed
/// headers (`user_id:token`), a name matches the part before the colon too.
public enum ColumnRef: Sendable, Equatable, CustomStringConvertible {
    case index(Int)
    case name(String)

    public var description: String {
        switch self {
        case .index(let i): return "#\(i + 1)"
        case .name(let n): return n
        }
    }

    /// Parses "3" (1-based, as users count columns) or a header name.
    public init(parsing s: String) {
        if let i = Int(s), i >= 1 { self = .index(i - 1) } else { self = .name(s) }
    }
}

/// How to read a delimited interaction file.
public struct InteractionFileSpec: Sendable, Equatable {
    public enum Header: Sendable, Equatable { case auto, present, absent }
    public var delimiter: String
    public var quotes: Bool
    public var header: Header
    public var user: ColumnRef
    public var item: ColumnRef
    public var time: ColumnRef

    public init(delimiter: String = ",", quotes: Bool = true, header: Header = .auto,
                user: ColumnRef = .index(0), item: ColumnRef = .index(1), time: ColumnRef = .index(2)) {
        self.delimiter = delimiter; self.quotes = quotes; self.header = header
        self.user = user; self.item = item; self.time = time
    }

    /// Generic `user,item,timestamp` CSV (header optional).
    public static let genericCSV = InteractionFileSpec()
    /// MovieLens `ratings.csv`: `userId,movieId,rating,timestamp` with a header.
    public static let movieLensCSV = InteractionFileSpec(
        header: .present, user: .name("userId"), item: .name("movieId"), time: .name("timestamp"))
    /// MovieLens `ratings.dat`: `UserID::MovieID::Rating::Timestamp`, no header.
    public static let movieLensDat = InteractionFileSpec(
        delimiter: "::", quotes: false, header: .absent, user: .index(0), item: .index(1), time: .index(3))
    /// RecBole atomic `.inter`: tab-separated, typed header (`user_id:token` …).
    public static let recBoleInter = InteractionFileSpec(
        delimiter: "\t", quotes: false, header: .present,
        user: .name("user_id"), item: .name("item_id"), time: .name("timestamp"))
}

extension InteractionLog {
    /// Reads a delimited interaction file.
    /// - Throws: `DataError` naming the file and line for an empty file, a missing
    ///   column or a non-numeric timestamp; `IOError` if the file cannot be read.
    public static func read(path: String, spec: InteractionFileSpec) throws -> InteractionLog {
        let data = try readFile(path)
        return try parse(data, source: path, spec: spec)
    }

    public static func parse(_ data: Data, source: String, spec: InteractionFileSpec) throws -> InteractionLog {
        var log = InteractionLog(source: source)
        let reader = DelimitedText(delimiter: spec.delimiter, quotes: spec.quotes)
        var cols: (u: Int, i: Int, t: Int)? = nil
        var first = true
        try data.withUnsafeBytes { raw in
            try reader.forEachRow(in: raw) { line, f in
                if first {
                    first = false
                    let resolved = try resolveColumns(spec, header: f, source: source, line: line)
                    cols = resolved.columns
                    if resolved.isHeader { return }
                }
                let c = cols!
                let need = max(c.u, c.i, c.t)
                if f.count <= need {
                    let missing = f.count <= c.u ? spec.user : (f.count <= c.i ? spec.item : spec.time)
                    throw DataError.missingColumn(file: source, line: line, column: missing.description, found: f.count)
                }
                guard let t = Double(f[c.t].trimmingCharacters(in: .whitespaces)), t.isFinite else {
                    throw DataError.badNumber(file: source, line: line, column: "timestamp", value: String(f[c.t]))
                }
                log.users.append(String(f[c.u]))
                log.items.append(String(f[c.i]))
                log.times.append(t)
            }
        }
        if log.count == 0 { throw DataError.empty(file: source) }
        return log
    }

    private static func resolveColumns(_ spec: InteractionFileSpec, header: [Substring], source: String, line: Int)
        throws -> (columns: (u: Int, i: Int, t: Int), isHeader: Bool)
    {
        let byName = [spec.user, spec.item, spec.time].contains { if case .name = $0 { return true } else { return false } }
        var isHeader: Bool
        switch spec.header {
        case .present: isHeader = true
        case .absent: isHeader = false
        case .auto:
            if byName { isHeader = true } else {
                // A header row is one whose timestamp field is not a number.
                if case .index(let t) = spec.time, t < header.count {
                    isHeader = Double(header[t].trimmingCharacters(in: .whitespaces)) == nil
                } else { isHeader = false }
            }
        }
        func find(_ ref: ColumnRef) throws -> Int {
            switch ref {
            case .index(let i): return i
            case .name(let n):
                guard isHeader else {
                    throw DataError.badOption("\(source):\(line): column '\(n)' is named but the file has no header; give column numbers instead")
                }
                if let i = header.firstIndex(where: { $0 == n || $0.split(separator: ":").first.map(String.init) == n }) {
                    return i
                }
                throw DataError.missingColumn(file: source, line: line, column: n, found: header.count)
            }
        }
        return ((try find(spec.user), try find(spec.item), try find(spec.time)), isHeader)
    }
}
