import Foundation

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
    public internal(set) var times: [Double] = []
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
        userOf.append(u); itemOf.append(i); times.append(time)
    }

    /// Per row, the raw user id (made on demand; the log keeps numbers).
    public var users: [String] { userOf.map { userIDs[Int($0)] } }
    /// Per row, the raw item id.
    public var items: [String] { itemOf.map { itemIDs[Int($0)] } }

    /// The raw user and item id of row r.
    public func row(_ r: Int) -> (user: String, item: String, time: Double) {
        (userIDs[Int(userOf[r])], itemIDs[Int(itemOf[r])], times[r])
    }

    init(source: String, userIDs: [String], itemIDs: [String], userOf: [Int32], itemOf: [Int32], times: [Double]) {
        self.source = source; self.userIDs = userIDs; self.itemIDs = itemIDs
        self.userOf = userOf; self.itemOf = itemOf; self.times = times
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
        guard let fh = FileHandle(forReadingAtPath: path) else { throw IOError.unreadable(path: path, reason: "permission denied") }
        defer { try? fh.close() }
        let parser = Parser(source: path, spec: spec)
        let fileSize = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
        var carry: [UInt8] = []
        var consumed = 0, reserved = false
        while true {
            let chunk: Data
            do { chunk = try fh.read(upToCount: chunkSize) ?? Data() } catch {
                throw IOError.unreadable(path: path, reason: "I/O error while reading")
            }
            if chunk.isEmpty { break }
            carry.append(contentsOf: chunk)
            let used = try carry.withUnsafeBytes { try parser.feed($0, final: false) }
            carry.removeFirst(used)
            consumed += used
            // After the first chunk, reserve the rows the file will hold (10 % over
            // the estimate), so the arrays do not double past the data's size.
            if !reserved, parser.userOf.count >= 64, consumed > 0 {
                reserved = true
                let estimate = Int(Double(parser.userOf.count) * Double(fileSize) / Double(consumed) * 1.1) + 64
                parser.reserve(estimate)
            }
        }
        _ = try carry.withUnsafeBytes { try parser.feed($0, final: true) }
        return try parser.finish()
    }

    public static func parse(_ data: Data, source: String, spec: InteractionFileSpec) throws -> InteractionLog {
        let parser = Parser(source: source, spec: spec)
        _ = try data.withUnsafeBytes { try parser.feed($0, final: true) }
        return try parser.finish()
    }

    /// The streaming reader: rows are cut from the bytes as they come, fields
    /// are byte ranges, ids are interned by their bytes and the timestamp is
    /// parsed from its bytes; only the first row (a possible header) and the
    /// distinct ids become `String`s. Same rules as `DelimitedText` (RFC 4180
    /// quotes when on, `\n` or `\r\n`, blank lines skipped).
    final class Parser {
        let source: String
        let spec: InteractionFileSpec
        let delim: [UInt8]
        var users = ByteInterner(), items = ByteInterner()
        var userOf: [Int32] = [], itemOf: [Int32] = [], times: [Double] = []
        var cols: (u: Int, i: Int, t: Int)? = nil
        var line = 0
        var ranges: [(Int, Int, Bool)] = []   // start, end, quoted
        var scratch: [UInt8] = []

        init(source: String, spec: InteractionFileSpec) {
            self.source = source; self.spec = spec; delim = Array(spec.delimiter.utf8)
        }

        /// Parses every complete row of `b` (all of it when `final`); returns the bytes used.
        /// The hot state is moved into locals for the loop (no class-property
        /// access or closure per field) and moved back at the end.
        func feed(_ b: UnsafeRawBufferPointer, final: Bool) throws -> Int {
            let n = b.count
            guard n > 0, let base = b.baseAddress else { return 0 }
            var U = ByteInterner(capacity: 0), I = ByteInterner(capacity: 0)
            var uo: [Int32] = [], io: [Int32] = [], ts: [Double] = []
            swap(&U, &users); swap(&I, &items); swap(&uo, &userOf); swap(&io, &itemOf); swap(&ts, &times)
            defer { swap(&U, &users); swap(&I, &items); swap(&uo, &userOf); swap(&io, &itemOf); swap(&ts, &times) }
            let quotes = spec.quotes
            let d0 = delim[0], dl = delim.count, single = dl == 1
            var start = 0
            while start < n {
                // The row's end: the next newline outside quotes.
                var end = start, newlines = 0
                if quotes {
                    var inQuotes = false
                    while end < n {
                        let c = b[end]
                        if c == 0x0A { if !inQuotes { break }; newlines += 1 } else if c == 0x22 { inQuotes.toggle() }
                        end += 1
                    }
                } else if let p = memchr(base + start, 0x0A, n - start) {
                    end = base.distance(to: UnsafeRawPointer(p))
                } else { end = n }
                if end == n && !final { return start }   // an incomplete row: wait for more bytes
                line += 1
                let first = line
                line += newlines
                var e = end
                if e > start && b[e - 1] == 0x0D { e -= 1 }
                defer { start = end + 1 }
                if e == start { continue }
                guard let c = cols else {
                    // The first row: a header or data, as resolveColumns decides (slow path, once).
                    split(b, start, e)
                    let header = ranges.map { string(b, $0) }
                    let resolved = try InteractionLog.resolveColumns(spec, header: header, source: source, line: first)
                    cols = resolved.columns
                    if resolved.isHeader { continue }
                    swap(&U, &users); swap(&I, &items); swap(&uo, &userOf); swap(&io, &itemOf); swap(&ts, &times)
                    try row(b, start, e, line: first)
                    swap(&U, &users); swap(&I, &items); swap(&uo, &userOf); swap(&io, &itemOf); swap(&ts, &times)
                    continue
                }
                // Fields: only the three wanted are kept, as byte ranges.
                let need = max(c.u, c.i, c.t)
                var us = 0, ue = 0, iS = 0, ie = 0, tS = 0, te = 0, anyQuoted = false
                var k = 0, i = start
                while true {
                    var j = i
                    if quotes && j < e && b[j] == 0x22 {
                        anyQuoted = true
                        j += 1
                        while j < e { if b[j] == 0x22 { if j + 1 < e && b[j + 1] == 0x22 { j += 2; continue }; j += 1; break }; j += 1 }
                    }
                    if single {
                        if let p = memchr(base + j, Int32(d0), e - j) { j = base.distance(to: UnsafeRawPointer(p)) } else { j = e }
                    } else {
                        while j < e {
                            if b[j] == d0 && j + dl <= e {
                                var m = true
                                for q in 1..<dl where b[j + q] != delim[q] { m = false; break }
                                if m { break }
                            }
                            j += 1
                        }
                    }
                    if k == c.u { us = i; ue = j }
                    if k == c.i { iS = i; ie = j }
                    if k == c.t { tS = i; te = j }
                    if k == need || j >= e { break }
                    k += 1
                    i = j + dl
                    if i >= e { if k == c.u { us = e; ue = e }; if k == c.i { iS = e; ie = e }; if k == c.t { tS = e; te = e }; break }
                }
                if k < need {
                    let f = k + 1
                    let missing = f <= c.u ? spec.user : (f <= c.i ? spec.item : spec.time)
                    throw DataError.missingColumn(file: source, line: first, column: missing.description, found: f)
                }
                if anyQuoted {
                    // Rare: unquote through the general path.
                    swap(&U, &users); swap(&I, &items); swap(&uo, &userOf); swap(&io, &itemOf); swap(&ts, &times)
                    try row(b, start, e, line: first)
                    swap(&U, &users); swap(&I, &items); swap(&uo, &userOf); swap(&io, &itemOf); swap(&ts, &times)
                    continue
                }
                let t = InteractionLog.parseNumber(base + tS, te - tS)
                guard t.isFinite else {
                    throw DataError.badNumber(file: source, line: first, column: "timestamp",
                                              value: String(decoding: UnsafeRawBufferPointer(rebasing: b[tS..<te]), as: UTF8.self))
                }
                uo.append(U.intern(base + us, ue - us))
                io.append(I.intern(base + iS, ie - iS))
                ts.append(t)
            }
            return n
        }

        func split(_ b: UnsafeRawBufferPointer, _ s: Int, _ e: Int) {
            ranges.removeAll(keepingCapacity: true)
            let d0 = delim[0], dl = delim.count
            @inline(__always) func matches(_ j: Int) -> Bool {
                if b[j] != d0 { return false }
                if dl == 1 { return true }
                if j + dl > e { return false }
                for k in 1..<dl where b[j + k] != delim[k] { return false }
                return true
            }
            var i = s
            while true {
                var j = i
                var quoted = false
                if spec.quotes && i < e && b[i] == 0x22 {
                    quoted = true
                    j = i + 1
                    while j < e { if b[j] == 0x22 { if j + 1 < e && b[j + 1] == 0x22 { j += 2; continue }; j += 1; break }; j += 1 }
                }
                while j < e && !matches(j) { j += 1 }
                ranges.append((i, j, quoted))
                if j >= e { return }
                i = j + dl
                if i == e { ranges.append((e, e, false)); return }
            }
        }

        /// A field's bytes, unquoted (RFC 4180) into `scratch` when quoted.
        @inline(__always)
        func field(_ b: UnsafeRawBufferPointer, _ r: (Int, Int, Bool), _ body: (UnsafeRawPointer, Int) -> Void) {
            if !r.2 { body(b.baseAddress! + r.0, r.1 - r.0); return }
            scratch.removeAll(keepingCapacity: true)
            var j = r.0 + 1
            while j < r.1 {
                if b[j] == 0x22 { if j + 1 < r.1 && b[j + 1] == 0x22 { scratch.append(0x22); j += 2; continue }; break }
                scratch.append(b[j]); j += 1
            }
            scratch.withUnsafeBytes { body($0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, $0.count) }
        }

        func string(_ b: UnsafeRawBufferPointer, _ r: (Int, Int, Bool)) -> Substring {
            var s = ""
            field(b, r) { p, n in s = String(decoding: UnsafeRawBufferPointer(start: p, count: n), as: UTF8.self) }
            return Substring(s)
        }

        func row(_ b: UnsafeRawBufferPointer, _ s: Int, _ e: Int, line: Int) throws {
            split(b, s, e)
            if cols == nil {
                let header = ranges.map { string(b, $0) }
                let resolved = try InteractionLog.resolveColumns(spec, header: header, source: source, line: line)
                cols = resolved.columns
                if resolved.isHeader { return }
            }
            let c = cols!
            let f = ranges
            if f.count <= max(c.u, c.i, c.t) {
                let missing = f.count <= c.u ? spec.user : (f.count <= c.i ? spec.item : spec.time)
                throw DataError.missingColumn(file: source, line: line, column: missing.description, found: f.count)
            }
            var t = Double.nan
            field(b, f[c.t]) { p, n in t = parseNumber(p, n) }
            guard t.isFinite else {
                throw DataError.badNumber(file: source, line: line, column: "timestamp", value: String(string(b, f[c.t])))
            }
            var u: Int32 = 0, it: Int32 = 0
            field(b, f[c.u]) { p, n in u = users.intern(p, n) }
            field(b, f[c.i]) { p, n in it = items.intern(p, n) }
            userOf.append(u); itemOf.append(it); times.append(t)
        }

        func reserve(_ rows: Int) {
            userOf.reserveCapacity(rows); itemOf.reserveCapacity(rows); times.reserveCapacity(rows)
        }

        func finish() throws -> InteractionLog {
            if userOf.isEmpty { throw DataError.empty(file: source) }
            return InteractionLog(source: source, userIDs: users.strings, itemIDs: items.strings,
                                  userOf: userOf, itemOf: itemOf, times: times)
        }
    }

    /// A number from its bytes: whole numbers (the usual timestamps) directly,
    /// anything else (decimals, exponents, spaces) as `Double(String)` reads it.
    @inline(__always)
    static func parseNumber(_ p: UnsafeRawPointer, _ n: Int) -> Double {
        var i = 0, neg = false
        if n > 0 && p.load(as: UInt8.self) == 0x2D { neg = true; i = 1 }
        if n > i && n - i <= 15 {
            var v: Int64 = 0, ok = true
            while i < n {
                let c = p.load(fromByteOffset: i, as: UInt8.self)
                guard c >= 0x30 && c <= 0x39 else { ok = false; break }
                v = v * 10 + Int64(c - 0x30); i += 1
            }
            if ok { return Double(neg ? -v : v) }
        }
        let s = String(decoding: UnsafeRawBufferPointer(start: p, count: n), as: UTF8.self)
        return Double(s.trimmingCharacters(in: .whitespaces)) ?? .nan
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
