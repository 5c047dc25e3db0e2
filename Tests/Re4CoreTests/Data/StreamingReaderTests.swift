import Foundation
import XCTest
import TestSupport
@testable import Re4Core

/// The streaming interaction reader (byte ranges, interned ids, chunked reads)
/// against a reference made of `DelimitedText`'s rows and `Double(String)`, on
/// hand-made and random files cut into chunks of every small size.
final class StreamingReaderTests: XCTestCase {
    /// The reference: what the reader did before it streamed (DelimitedText fields as strings).
    func reference(_ text: String, spec: InteractionFileSpec) throws -> [(String, String, Double)] {
        var out: [(String, String, Double)] = []
        var cols: (Int, Int, Int)? = nil
        try Data(text.utf8).withUnsafeBytes { raw in
            try DelimitedText(delimiter: spec.delimiter, quotes: spec.quotes).forEachRow(in: raw) { line, f in
                if cols == nil {
                    let r = try InteractionLog.resolveColumns(spec, header: f, source: "ref", line: line)
                    cols = r.columns
                    if r.isHeader { return }
                }
                let c = cols!
                guard f.count > max(c.0, c.1, c.2), let t = Double(f[c.2].trimmingCharacters(in: .whitespaces)) else {
                    throw DataError.empty(file: "ref row \(line)")
                }
                out.append((String(f[c.0]), String(f[c.1]), t))
            }
        }
        return out
    }

    func rows(_ log: InteractionLog) -> [(String, String, Double)] { (0..<log.count).map { log.row($0) } }

    func assertSame(_ text: String, spec: InteractionFileSpec = .genericCSV, line: UInt = #line) throws {
        let want = try reference(text, spec: spec)
        let dir = makeTempDir()
        let path = dir + "/x.csv"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        for chunk in [1, 2, 3, 5, 7, 16, 1 << 20] {
            let got = rows(try InteractionLog.read(path: path, spec: spec, chunkSize: chunk))
            XCTAssertEqual(got.count, want.count, "chunk \(chunk)", line: line)
            for (a, b) in zip(got, want) {
                XCTAssertTrue(a.0 == b.0 && a.1 == b.1 && a.2 == b.2, "chunk \(chunk): \(a) vs \(b)", line: line)
            }
        }
    }

    func testHandMadeFilesReadAsTheReferenceDoes() throws {
        try assertSame("user,item,timestamp\nu1,i1,10\nu2,i2,5\nu1,i3,7\n")
        try assertSame("u1,i1,10\r\nu2,i2,5\r\n\r\n\nu1,i1,3")               // CRLF, blank lines, no final newline
        try assertSame("user,item,ts\n\"a,b\",\"say \"\"hi\"\"\",1\n\"multi\nline\",x,2\nplain,\"\",3\n")  // quotes
        try assertSame("u,i,1.5\nu,j,-2\nu,k,1e3\nu,l, 4 \n")                // decimals, signs, exponents, spaces
        try assertSame(",,1\n,x,2\n")                                         // empty ids
        try assertSame("1::1193::5::978300760\n2::1::3::978300761\n", spec: .movieLensDat)
        try assertSame("user_id:token\titem_id:token\trating:float\ttimestamp:float\n1m_1\tOne, Flew (1975)\t5\t978300760\n", spec: .recBoleInter)
        try assertSame("userId,movieId,rating,timestamp\n1,31,2.5,1260759144\n1,1029,3.0,1260759179\n", spec: .movieLensCSV)
    }

    func testRandomFilesCutAnywhereReadAsTheReferenceDoes() throws {
        var rng = SeededRandom(seed: 9)
        let alphabet = Array("ab,\"\n\r 1x:")
        for _ in 0..<40 {
            var text = "user,item,time\n"
            for _ in 0..<rng.below(30) {
                func id() -> String {
                    if rng.below(4) == 0 { // a quoted id with anything inside
                        let body = String((0..<rng.below(6)).map { _ in alphabet[rng.below(alphabet.count)] }).replacingOccurrences(of: "\"", with: "\"\"")
                        return "\"" + body + "\""
                    }
                    return String((0..<rng.below(5)).map { _ in Array("abcxyz019")[rng.below(9)] })
                }
                text += "\(id()),\(id()),\(rng.below(100))" + (rng.below(3) == 0 ? ",extra" : "") + (rng.below(5) == 0 ? "\r\n" : "\n")
            }
            if text == "user,item,time\n" { continue }
            try assertSame(text)
        }
    }

    func testErrorsNameTheLineAsBefore() {
        assertThrowsMessage(["m.csv:2", "#3"]) { _ = try InteractionLog.parse(Data("u,i,1\nu,i\n".utf8), source: "m.csv", spec: .genericCSV) }
        assertThrowsMessage(["n.csv:4", "yesterday"]) {
            _ = try InteractionLog.parse(Data("user,item,t\nu,i,1\n\nu,j,yesterday\n".utf8), source: "n.csv", spec: .genericCSV)
        }
        // A quoted field with a newline counts its physical lines.
        assertThrowsMessage(["q.csv:4", "bad"]) {
            _ = try InteractionLog.parse(Data("user,item,t\n\"a\nb\",i,1\nu,i,bad\n".utf8), source: "q.csv", spec: .genericCSV)
        }
    }
}

final class ByteInternerTests: XCTestCase {
    func intern(_ t: inout ByteInterner, _ s: [UInt8]) -> Int32 { s.withUnsafeBytes { t.intern($0.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!, $0.count) } }

    /// Numbers follow first appearance, equal keys share one, whatever their length
    /// (short keys live in the slot, long ones in the arena) and however the table grew.
    func testKeysAreNumberedByFirstAppearanceAcrossGrowth() {
        var t = ByteInterner(capacity: 1)
        var rng = SeededRandom(seed: 4)
        var expected: [[UInt8]: Int32] = [:]
        var order: [[UInt8]] = []
        for _ in 0..<20_000 {
            let len = [0, 1, 7, 8, 9, 16, 23][rng.below(7)]
            let key = (0..<len).map { _ in UInt8([0, 1, 2, 255][rng.below(4)]) }
            let got = intern(&t, key)
            if let e = expected[key] { XCTAssertEqual(got, e) } else {
                XCTAssertEqual(got, Int32(order.count)); expected[key] = got; order.append(key)
            }
        }
        XCTAssertEqual(t.count, order.count)
        XCTAssertGreaterThan(order.count, 1000, "enough keys to grow the table many times")
        for (k, key) in order.enumerated() { XCTAssertEqual(Array(t.string(k).utf8) == key || String(decoding: key, as: UTF8.self) == t.string(k), true) }
        // Keys that differ only by trailing zero bytes or length are different keys.
        var u = ByteInterner()
        XCTAssertEqual(intern(&u, [97]), 0); XCTAssertEqual(intern(&u, [97, 0]), 1); XCTAssertEqual(intern(&u, []), 2)
        XCTAssertEqual(intern(&u, [97]), 0); XCTAssertEqual(intern(&u, []), 2); XCTAssertEqual(intern(&u, [97, 0]), 1)
    }
    /// Decimal ids take the direct path, everything else the table: one numbering.
    func testDecimalIdsAndOtherKeysShareOneFirstAppearanceNumbering() {
        var t = ByteInterner(capacity: 1)
        var rng = SeededRandom(seed: 8)
        var expected: [String: Int32] = [:]
        var order: [String] = []
        let limit = ByteInterner.directLimit
        for _ in 0..<30_000 {
            let key: String
            switch rng.below(8) {
            case 0: key = String(rng.below(50))                      // small decimals
            case 1: key = String(rng.below(400_000))                 // the direct array grows
            case 2: key = "0" + String(rng.below(30))               // leading zero: not canonical, "07" ≠ "7"
            case 3: key = String(limit + rng.below(1000))           // above the limit: the table
            case 4: key = String(10_000_000 + rng.below(100))       // 8 digits, above the limit
            case 5: key = String(100_000_000 + rng.below(100))      // 9 digits: the table
            case 6: key = "u" + String(rng.below(200))
            default: key = ["0", "00", "-1", "+1", "1 ", " 1", "1.0", ""][rng.below(8)]
            }
            let got = intern(&t, Array(key.utf8))
            if let e = expected[key] { XCTAssertEqual(got, e, key) } else {
                XCTAssertEqual(got, Int32(order.count), key); expected[key] = got; order.append(key)
            }
        }
        XCTAssertEqual(t.count, order.count)
        for (k, key) in order.enumerated() { XCTAssertEqual(t.string(k), key) }
        XCTAssertNotEqual(expected["7"], expected["07"]); XCTAssertNotEqual(expected["0"], expected["00"])
        func value(_ s: String) -> Int? { Array(s.utf8).withUnsafeBytes { ByteInterner.canonicalDecimal($0.baseAddress!, $0.count) } }
        XCTAssertEqual(value("1234"), 1234); XCTAssertEqual(value("0"), 0)
        XCTAssertNil(value("12a4")); XCTAssertNil(value("0012")); XCTAssertNil(value("123456789"), "nine digits: the table")
    }
}
