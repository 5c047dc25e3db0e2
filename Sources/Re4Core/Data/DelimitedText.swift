/// A small, fast reader of delimited text (CSV, TSV, MovieLens `::`), working on
/// bytes. Fields may be quoted with `"` (RFC 4180: `""` inside quotes is a quote)
/// when `quotes` is on. Line endings `\n` and `\r\n`; blank lines are skipped; a
/// UTF-8 byte-order mark at the start (Excel's "CSV UTF-8") is skipped.
public struct DelimitedText {
    public let delimiter: [UInt8]
    public let quotes: Bool

    public init(delimiter: String, quotes: Bool) {
        self.delimiter = Array(delimiter.utf8)
        self.quotes = quotes
    }

    /// Calls `row(lineNumber, fields)` for every non-blank line. Line numbers are
    /// 1-based, counted in physical lines. Throwing from `row` stops the scan.
    public func forEachRow(in bytes: UnsafeRawBufferPointer, _ row: (Int, [Substring]) throws -> Void) rethrows {
        var lineNo = 0
        let n = bytes.count
        var start = Self.bomLength(bytes)
        var fields: [Substring] = []
        while start < n {
            lineNo += 1
            // Find the end of the logical line (a quoted field may hold a newline).
            var end = start
            var inQuotes = false
            while end < n {
                let c = bytes[end]
                if quotes && c == 0x22 { inQuotes.toggle() }
                if c == 0x0A && !inQuotes { break }
                end += 1
            }
            var lineEnd = end
            if lineEnd > start && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let firstLine = lineNo
            // Count embedded newlines so later line numbers stay right.
            if quotes { for i in start..<end where bytes[i] == 0x0A { lineNo += 1 } }
            if lineEnd > start {
                fields.removeAll(keepingCapacity: true)
                split(bytes, start, lineEnd, into: &fields)
                try row(firstLine, fields)
            }
            start = end + 1
        }
    }

    /// 3 when `bytes` begin with the UTF-8 byte-order mark EF BB BF, else 0.
    public static func bomLength(_ bytes: UnsafeRawBufferPointer) -> Int {
        bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
    }

    /// `text` without a leading byte-order mark.
    public static func droppingBOM(_ text: String) -> String { text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text }

    private func split(_ b: UnsafeRawBufferPointer, _ s: Int, _ e: Int, into fields: inout [Substring]) {
        var i = s
        let d0 = delimiter[0]
        let dl = delimiter.count
        while true {
            if quotes && i < e && b[i] == 0x22 {
                // Quoted field.
                var out: [UInt8] = []
                var j = i + 1
                while j < e {
                    if b[j] == 0x22 {
                        if j + 1 < e && b[j + 1] == 0x22 { out.append(0x22); j += 2; continue }
                        j += 1; break
                    }
                    out.append(b[j]); j += 1
                }
                fields.append(Substring(decoding: out, as: UTF8.self))
                // Skip to the next delimiter.
                while j < e && !matches(b, j, e, d0, dl) { j += 1 }
                if j >= e { return }
                i = j + dl
                if i > e { return }
                if i == e { fields.append(""); return }
                continue
            }
            var j = i
            while j < e && !matches(b, j, e, d0, dl) { j += 1 }
            fields.append(Substring(decoding: UnsafeRawBufferPointer(rebasing: b[i..<j]), as: UTF8.self))
            if j >= e { return }
            i = j + dl
            if i == e { fields.append(""); return }
        }
    }

    @inline(__always)
    private func matches(_ b: UnsafeRawBufferPointer, _ j: Int, _ e: Int, _ d0: UInt8, _ dl: Int) -> Bool {
        if b[j] != d0 { return false }
        if dl == 1 { return true }
        if j + dl > e { return false }
        for k in 1..<dl where b[j + k] != delimiter[k] { return false }
        return true
    }
}
