import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Interactions as read from a file, before renumbering: per row the user and
/// the item (numbered in order of first appearance; their raw ids — strings,
/// since RecBole's MovieLens uses titles as ids — kept once each) and a timestamp.
public struct InteractionLog: Sendable {
    public var source: String
    /// Distinct raw user ids, in order of first appearance.
    public private(set) var userIDs: [String] = []
    /// Distinct raw item ids, in order of first appearance.
    public private(set) var itemIDs: [String] = []
    /// Per row: index into `userIDs`, into `itemIDs`, and the time.
    public internal(set) var userOf: [Int32] = []
    public internal(set) var itemOf: [Int32] = []
    /// Per row, the time (kept 4 bytes a row when the times allow: `TimeColumn`).
    public var times: [Double] { timeColumn.values }
    var timeColumn = TimeColumn()
    private var userIndex: [String: Int32] = [:]
    private var itemIndex: [String: Int32] = [:]

    public init(source: String) { self.source = source }
    public var count: Int { userOf.count }

    /// Adds one row (for logs built in code; files are read by `parse`).
    public mutating func append(user: String, item: String, time: Double) {
        if userIndex.isEmpty && !userIDs.isEmpty { for (i, u) in userIDs.enumerated() { userIndex[u] = Int32(i) } }
        if itemIndex.isEmpty && !itemIDs.isEmpty { for (i, it) in itemIDs.enumerated() { itemIndex[it] = Int32(i) } }
        let u = userIndex[user] ?? { let k = Int32(userIDs.count); userIDs.append(user); userIndex[user] = k; return k }()
        let i = itemIndex[item] ?? { let k = Int32(itemIDs.count); itemIDs.append(item); itemIndex[item] = k; return k }()
        userOf.append(u); itemOf.append(i); timeColumn.append(time)
    }

    /// Per row, the raw user id (made on demand; the log keeps numbers).
    public var users: [String] { userOf.map { userIDs[Int($0)] } }
    /// Per row, the raw item id.
    public var items: [String] { itemOf.map { itemIDs[Int($0)] } }

    /// The raw user and item id of row r.
    public func row(_ r: Int) -> (user: String, item: String, time: Double) {
        (userIDs[Int(userOf[r])], itemIDs[Int(itemOf[r])], timeColumn[r])
    }

    init(source: String, userIDs: [String], itemIDs: [String], userOf: [Int32], itemOf: [Int32], times: TimeColumn) {
        self.source = source; self.userIDs = userIDs; self.itemIDs = itemIDs
        self.userOf = userOf; self.itemOf = itemOf; self.timeColumn = times
    }
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
    /// Bytes read at a time: the file is streamed, never held whole.
    static let chunkSize = 8 << 20

    /// Reads a delimited interaction file.
    /// - Throws: `DataError` naming the file and line for an empty file, a missing
    ///   column or a non-numeric timestamp; `IOError` if the file cannot be read.
    public static func read(path: String, spec: InteractionFileSpec) throws -> InteractionLog {
        try read(path: path, spec: spec, chunkSize: chunkSize)
    }

    /// - Parameter chunkSize: bytes per read (tests use tiny ones to cut rows and fields anywhere).
    static func read(path: String, spec: InteractionFileSpec, chunkSize: Int) throws -> InteractionLog {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw IOError.unreadable(path: path, reason: "no such file")
        }
        if isDir.boolValue { throw IOError.unreadable(path: path, reason: "it is a folder, not a file") }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw IOError.unreadable(path: path, reason: "permission denied") }
        defer { close(fd) }
        let parser = Parser(source: path, spec: spec)
        let fileSize = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
        // One buffer: the unparsed tail of a read moves to its front and the
        // next read fills the rest; it grows only for a row longer than it.
        var buffer = [UInt8](repeating: 0, count: max(chunkSize, 1))
        var filled = 0, consumed = 0, reserved = false
        while true {
            if filled == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
            let got = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if got < 0 {
                if errno == EINTR { continue }
                throw IOError.unreadable(path: path, reason: "I/O error while reading")
            }
            if got == 0 { break }
            filled += got
            let used = try buffer.withUnsafeBytes { try parser.feed(UnsafeRawBufferPointer(rebasing: $0[0..<filled]), final: false) }
            if used > 0 {
                buffer.withUnsafeMutableBytes { b in _ = memmove(b.baseAddress!, b.baseAddress! + used, filled - used) }
                filled -= used
            }
            consumed += used
            ReadProgress.report(path: path, bytes: consumed, of: fileSize)
            // After the first chunk, reserve the rows the file will hold (10 % over
            // the estimate), so the arrays do not double past the data's size.
            if !reserved, parser.userOf.count >= 64, consumed > 0 {
                reserved = true
                let estimate = Int(Double(parser.userOf.count) * Double(fileSize) / Double(consumed) * 1.1) + 64
                parser.reserve(estimate)
            }
        }
        _ = try buffer.withUnsafeBytes { try parser.feed(UnsafeRawBufferPointer(rebasing: $0[0..<filled]), final: true) }
        buffer = []   // released before the ids become strings
        ReadProgress.report(path: path, bytes: fileSize, of: fileSize)
        return try parser.finish()
    }

    public static func parse(_ data: Data, source: String, spec: InteractionFileSpec) throws -> InteractionLog {
        let parser = Parser(source: source, spec: spec)
        _ = try data.withUnsafeBytes { try parser.feed($0, final: true) }
        return try parser.finish()
    }

    static func resolveColumns(_ spec: InteractionFileSpec, header: [Substring], source: String, line: Int)
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
