import Foundation

/// Scalars from TensorBoard event files (`events.out.tfevents.*`), read
/// without TensorFlow or protobuf code generation (docs/interop.md § logs).
///
/// The file is TFRecord framing: per record a little-endian UInt64 length, the
/// masked CRC-32C of those 8 bytes, the data, the masked CRC-32C of the data;
/// masked = ((crc >> 15) | (crc << 17)) + 0xa282ead8. Each record is an `Event`
/// protobuf: wall_time (1, double), step (2, int64), summary (5), session_log (7). A `Summary`
/// holds repeated values (1): tag (1), simple_value (2, float) or a scalar
/// tensor (8: dtype 1, tensor_content 4, float_val 5, double_val 6, int64_val 10).
public enum TensorBoardEvents {
    public struct Scalar: Sendable, Equatable {
        public var tag: String
        public var step: Int64
        public var wallTime: Double
        public var value: Double
    }

    /// The largest record accepted (TensorBoard's scalars are tens of bytes; images can be megabytes).
    public static let maxRecord = 64 << 20

    public static func read(path: String) throws -> [Scalar] {
        try parse(readFile(path), source: path)
    }

    public static func parse(_ data: Data, source: String) throws -> [Scalar] {
        try parseWithRestarts(data, source: source).scalars
    }

    /// A `SessionLog.START` (a restarted writer, e.g. torch's `SummaryWriter(purge_step=…)`):
    /// it came after `before` scalars of the file and carries `step`.
    public struct Restart: Sendable, Equatable {
        public var before: Int
        public var step: Int64
    }

    /// The scalars and the restarts, in file order.
    public static func parseWithRestarts(_ data: Data, source: String) throws -> (scalars: [Scalar], restarts: [Restart]) {
        let b = [UInt8](data)
        var pos = 0, out: [Scalar] = [], record = 0, restarts: [Restart] = []
        func fail(_ w: String) -> TensorBoardError { .malformed(file: source, what: "record \(record) at byte \(pos): \(w)") }
        while pos < b.count {
            record += 1
            guard b.count - pos >= 12 else { throw fail("the file ends inside a record header (a write cut short?)") }
            let len = le64(b, pos), lenCRC = le32(b, pos + 8)
            guard masked(crc32c(b[pos..<(pos + 8)])) == lenCRC else { throw fail("the length's CRC-32C does not match; not an event file, or damaged") }
            guard len <= UInt64(maxRecord) else { throw fail("a record of \(len) bytes, above the \(maxRecord) accepted") }
            let n = Int(len)
            guard b.count - pos - 12 >= n + 4 else { throw fail("the file ends inside a record of \(n) bytes") }
            let body = b[(pos + 12)..<(pos + 12 + n)]
            guard masked(crc32c(body)) == le32(b, pos + 12 + n) else { throw fail("the data's CRC-32C does not match; the file is damaged") }
            if let start = try event(body, into: &out, fail: fail) { restarts.append(Restart(before: out.count, step: start)) }
            pos += 12 + n + 4
        }
        return (out, restarts)
    }

    // MARK: Protobuf wire format (only what an Event's scalars need)

    struct Reader {
        let b: ArraySlice<UInt8>
        var i: Int
        init(_ b: ArraySlice<UInt8>) { self.b = b; i = b.startIndex }
        var atEnd: Bool { i >= b.endIndex }
        mutating func varint() throws -> UInt64 {
            var v: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard i < b.endIndex, shift < 64 else { throw TensorBoardError.wire }
                let c = b[i]; i += 1
                v |= UInt64(c & 0x7f) << shift
                if c & 0x80 == 0 { return v }
                shift += 7
            }
        }
        mutating func bytes(_ n: Int) throws -> ArraySlice<UInt8> {
            guard n >= 0, n <= b.endIndex - i else { throw TensorBoardError.wire }
            defer { i += n }
            return b[i..<(i + n)]
        }
        /// The next field: number, wire type, and its payload (varint value, or bytes for fixed and length-delimited).
        mutating func field() throws -> (Int, Int, UInt64, ArraySlice<UInt8>) {
            let key = try varint()
            let num = Int(key >> 3), wire = Int(key & 7)
            switch wire {
            case 0: return (num, 0, try varint(), [])
            case 1: return (num, 1, 0, try bytes(8))
            case 2:
                let n = try varint()
                guard n <= UInt64(b.endIndex - i) else { throw TensorBoardError.wire }
                return (num, 2, 0, try bytes(Int(n)))
            case 5: return (num, 5, 0, try bytes(4))
            default: throw TensorBoardError.wire
            }
        }
    }

    /// Adds the event's scalars; returns its step when the event is a SessionLog.START.
    static func event(_ body: ArraySlice<UInt8>, into out: inout [Scalar], fail: (String) -> TensorBoardError) throws -> Int64? {
        var r = Reader(body)
        var wall = 0.0, step: Int64 = 0, summaries: [ArraySlice<UInt8>] = [], start = false
        do {
            while !r.atEnd {
                let (num, wire, v, p) = try r.field()
                switch (num, wire) {
                case (1, 1): wall = Double(bitPattern: le64(p, p.startIndex))
                case (2, 0): step = Int64(bitPattern: v)
                case (5, 2): summaries.append(p)
                case (7, 2):
                    // session_log (7), a SessionLog: status (1) START = 1.
                    var sr = Reader(p)
                    while !sr.atEnd { let (n, w, v, _) = try sr.field(); if n == 1, w == 0, v == 1 { start = true } }
                default: break
                }
            }
            for s in summaries {
                var sr = Reader(s)
                while !sr.atEnd {
                    let (num, wire, _, p) = try sr.field()
                    guard num == 1, wire == 2 else { continue }
                    if let (tag, value) = try summaryValue(p) { out.append(Scalar(tag: tag, step: step, wallTime: wall, value: value)) }
                }
            }
        } catch TensorBoardError.wire {
            throw fail("not a well-formed Event protobuf")
        }
        return start ? step : nil
    }

    /// A Summary.Value's tag and scalar (simple_value, or a 0-d float/double/int64 tensor); nil for images, histograms, text.
    static func summaryValue(_ p: ArraySlice<UInt8>) throws -> (String, Double)? {
        var r = Reader(p)
        var tag = "", value: Double? = nil
        while !r.atEnd {
            let (num, wire, _, q) = try r.field()
            switch (num, wire) {
            case (1, 2): tag = String(decoding: q, as: UTF8.self)
            case (2, 5): value = Double(Float(bitPattern: le32(q, q.startIndex)))
            case (8, 2): if let v = try tensorScalar(q) { value = v }
            default: break
            }
        }
        return value.map { (tag, $0) }
    }

    static func tensorScalar(_ p: ArraySlice<UInt8>) throws -> Double? {
        var r = Reader(p)
        var dtype: UInt64 = 0, content: ArraySlice<UInt8> = [], floats: [Double] = []
        while !r.atEnd {
            let (num, wire, v, q) = try r.field()
            switch (num, wire) {
            case (1, 0): dtype = v
            case (4, 2): content = q
            case (5, 5): floats.append(Double(Float(bitPattern: le32(q, q.startIndex))))
            case (5, 2): for j in stride(from: q.startIndex, to: q.endIndex - 3, by: 4) { floats.append(Double(Float(bitPattern: le32(q, j)))) }
            case (6, 1): floats.append(Double(bitPattern: le64(q, q.startIndex)))
            case (6, 2): for j in stride(from: q.startIndex, to: q.endIndex - 7, by: 8) { floats.append(Double(bitPattern: le64(q, j))) }
            case (10, 0): floats.append(Double(Int64(bitPattern: v)))
            default: break
            }
        }
        if floats.count == 1 { return floats[0] }
        // tensor_content: raw little-endian bytes of one element (DT_FLOAT 1, DT_DOUBLE 2, DT_INT64 9).
        switch (dtype, content.count) {
        case (1, 4): return Double(Float(bitPattern: le32(content, content.startIndex)))
        case (2, 8): return Double(bitPattern: le64(content, content.startIndex))
        case (9, 8): return Double(Int64(bitPattern: le64(content, content.startIndex)))
        default: return nil
        }
    }

    static func le32<C: Collection>(_ b: C, _ at: C.Index) -> UInt32 where C.Element == UInt8 {
        var v: UInt32 = 0, i = at
        for k in 0..<4 { v |= UInt32(b[i]) << (8 * UInt32(k)); i = b.index(after: i) }
        return v
    }
    static func le64<C: Collection>(_ b: C, _ at: C.Index) -> UInt64 where C.Element == UInt8 {
        var v: UInt64 = 0, i = at
        for k in 0..<8 { v |= UInt64(b[i]) << (8 * UInt64(k)); i = b.index(after: i) }
        return v
    }

    // MARK: CRC-32C (Castagnoli), as TFRecord uses it

    static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0x82f6_3b78 ^ (c >> 1) : c >> 1 }
        return c
    }
    static func crc32c<S: Sequence>(_ bytes: S) -> UInt32 where S.Element == UInt8 {
        var c: UInt32 = 0xffff_ffff
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xff)] ^ (c >> 8) }
        return c ^ 0xffff_ffff
    }
    static func masked(_ crc: UInt32) -> UInt32 { ((crc >> 15) | (crc << 17)) &+ 0xa282_ead8 }
}

public enum TensorBoardError: LocalizedError, Equatable {
    case malformed(file: String, what: String)
    /// Internal: a protobuf that runs past its end.
    case wire

    public var errorDescription: String? {
        switch self {
        case .malformed(let f, let w): return "\(f): not a readable TensorBoard event file: \(w)"
        case .wire: return "a malformed protobuf"
        }
    }
}
