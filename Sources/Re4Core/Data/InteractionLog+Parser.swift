import Foundation

extension InteractionLog {
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
        var userOf: [Int32] = [], itemOf: [Int32] = [], times = TimeColumn()
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
            var uo: [Int32] = [], io: [Int32] = [], ts = TimeColumn()
            func exchange() { swap(&U, &users); swap(&I, &items); swap(&uo, &userOf); swap(&io, &itemOf); swap(&ts, &times) }
            exchange()
            defer { exchange() }
            /// A row through the general path, which works on the parser's own state.
            func general(_ s: Int, _ e: Int, line: Int) throws { exchange(); defer { exchange() }; try row(b, s, e, line: line) }
            let quotes = spec.quotes
            let d0 = delim[0], dl = delim.count, single = dl == 1
            var start = line == 0 ? DelimitedText.bomLength(b) : 0   // Excel's byte-order mark before the first row
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
                    try general(start, e, line: first)
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
                    try general(start, e, line: first)
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
            userOf.reserveCapacity(rows); itemOf.reserveCapacity(rows); times.reserve(rows)
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
}
