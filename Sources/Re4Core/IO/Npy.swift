import Foundation

/// NumPy's `.npy` format, version 1.0: magic `\x93NUMPY`, version bytes, a
/// little-endian u16 header length, a Python-dict header (`descr`,
/// `fortran_order`, `shape`) padded with spaces to a 64-byte boundary and ending
/// in a newline, then the data.
public enum Npy {
    /// Serialises a float32 C-order array.
    public static func serialize(_ t: Tensor) -> Data {
        var out = header(descr: "<f4", shape: t.shape)
        t.values.withUnsafeBufferPointer { out.append($0) }
        return out
    }

    /// Serialises an int32 C-order array (item ids).
    public static func serialize(int32 values: [Int32], shape: [Int]) -> Data {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not match \(values.count) values")
        var out = header(descr: "<i4", shape: shape)
        values.withUnsafeBufferPointer { out.append($0) }
        return out
    }

    /// Magic, version and the padded header dict.
    static func header(descr: String, shape dims: [Int]) -> Data {
        let shape = dims.count == 1 ? "(\(dims[0]),)" : "(" + dims.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        let pre = 10
        while (pre + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var out = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let hl = UInt16(header.utf8.count)
        out.append(contentsOf: [UInt8(hl & 0xff), UInt8(hl >> 8)])
        out.append(contentsOf: Array(header.utf8))
        return out
    }

    public static func write(_ t: Tensor, path: String) throws { try AtomicFile.write(serialize(t), to: path) }

    public static func read(path: String) throws -> Tensor { try parse(readFile(path), source: path) }

    /// Reads float32 or float64 (converted), C order, any rank ≥ 1.
    public static func parse(_ d: Data, source: String) throws -> Tensor {
        let h = try header(d, source: source)
        guard h.kind == "f" else { throw NpyError.unsupportedDType(file: source, descr: h.descr) }
        var v = [Float](repeating: 0, count: h.count)
        let at = h.dataStart
        d.withUnsafeBytes { raw in
            if h.elem == 4 {
                for i in 0..<h.count { v[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at + 4 * i, as: UInt32.self))) }
            } else {
                for i in 0..<h.count { v[i] = Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at + 8 * i, as: UInt64.self)))) }
            }
        }
        return Tensor(shape: h.shape, values: v)
    }

    /// Reads an array of ids: any little-endian integer dtype, or floats that
    /// hold whole numbers (a history saved with np.float32 by mistake).
    public static func readIntegers(path: String) throws -> (shape: [Int], values: [Int64]) {
        let d = try readFile(path)
        let h = try header(d, source: path)
        var v = [Int64](repeating: 0, count: h.count)
        let at = h.dataStart
        var bad: Int? = nil
        d.withUnsafeBytes { raw in
            for i in 0..<h.count {
                let o = at + h.elem * i
                switch (h.kind, h.elem) {
                case ("i", 8): v[i] = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: Int64.self))
                case ("i", 4): v[i] = Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: Int32.self)))
                case ("i", 2): v[i] = Int64(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: Int16.self)))
                case ("i", 1): v[i] = Int64(raw.load(fromByteOffset: o, as: Int8.self))
                case ("u", 8):
                    let x = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt64.self))
                    if x > UInt64(Int64.max) { bad = bad ?? i } else { v[i] = Int64(x) }
                case ("u", 4): v[i] = Int64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt32.self)))
                case ("u", 2): v[i] = Int64(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt16.self)))
                case ("u", 1): v[i] = Int64(raw.load(fromByteOffset: o, as: UInt8.self))
                default:
                    let x = h.elem == 4 ? Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt32.self))))
                                        : Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt64.self)))
                    if x.rounded() == x, abs(x) < 9e15 { v[i] = Int64(x) } else { bad = bad ?? i }
                }
            }
        }
        if let bad { throw NpyError.malformed(file: path, what: "element \(bad) is not a whole number an id can be") }
        return (h.shape, v)
    }

    struct Header { var kind: Character; var elem: Int; var descr: String; var shape: [Int]; var count: Int; var dataStart: Int }

    /// The header, with the payload's size checked against the shape before anything is read.
    static func header(_ d: Data, source: String) throws -> Header {
        func fail(_ w: String) -> NpyError { .malformed(file: source, what: w) }
        let b = [UInt8](d.prefix(12))
        guard b.count >= 10, b[0] == 0x93, Array(b[1...5]) == Array("NUMPY".utf8) else { throw fail("no .npy magic number") }
        let major = b[6]
        var hlen: Int, start: Int
        if major == 1 {
            hlen = Int(b[8]) | Int(b[9]) << 8; start = 10
        } else if major == 2 || major == 3 {
            guard b.count >= 12 else { throw fail("truncated header") }
            hlen = Int(b[8]) | Int(b[9]) << 8 | Int(b[10]) << 16 | Int(b[11]) << 24; start = 12
        } else { throw fail("unknown version \(major)") }
        guard hlen <= d.count - start else { throw fail("header length \(hlen) runs past the end of the file") }
        let header = String(decoding: d[(d.startIndex + start)..<(d.startIndex + start + hlen)], as: UTF8.self)
        func field(_ key: String) -> String? {
            guard let r = header.range(of: "'\(key)':") else { return nil }
            return String(header[r.upperBound...]).trimmingCharacters(in: .whitespaces)
        }
        guard let descrField = field("descr") else { throw fail("header has no 'descr'") }
        let descr = String(descrField.prefix(while: { $0 != "," }))
        // '<f4', '|u1', '<i8', …: byte order, kind, size. Big-endian ('>') is refused.
        let chars = Array(descr.replacingOccurrences(of: "'", with: ""))
        guard chars.count >= 3, chars[0] == "<" || chars[0] == "|" || (chars[0] == "=" ), "fiu".contains(chars[1]),
              let elem = Int(String(chars[2...])), [1, 2, 4, 8].contains(elem), chars[1] != "f" || elem >= 4 else {
            throw NpyError.unsupportedDType(file: source, descr: descr)
        }
        if let f = field("fortran_order"), f.hasPrefix("True") { throw NpyError.fortranOrder(file: source) }
        guard let sh = field("shape"), sh.hasPrefix("("), let close = sh.firstIndex(of: ")") else { throw fail("header has no 'shape'") }
        let dims = sh[sh.index(after: sh.startIndex)..<close].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var shape: [Int] = []
        for x in dims where !x.isEmpty {
            guard let v = Int(x), v >= 0, v < 1 << 40 else { throw fail("bad shape entry '\(x)'") }
            shape.append(v)
        }
        guard !shape.isEmpty else { throw fail("a 0-d array is not a matrix") }
        var count = 1
        for s in shape { let (p, o) = count.multipliedReportingOverflow(by: s); guard !o else { throw fail("shape overflows") }; count = p }
        let dataStart = start + hlen
        let (bytes, overflow) = count.multipliedReportingOverflow(by: elem)
        guard !overflow else { throw fail("shape \(shape) is too large") }
        guard bytes == d.count - dataStart else {
            throw fail("shape \(shape) needs \(bytes) data bytes but the file has \(d.count - dataStart)")
        }
        return Header(kind: chars[1], elem: elem, descr: descr, shape: shape, count: count, dataStart: dataStart)
    }
}

public enum NpyError: LocalizedError, Equatable {
    case malformed(file: String, what: String)
    case unsupportedDType(file: String, descr: String)
    case fortranOrder(file: String)

    public var errorDescription: String? {
        switch self {
        case .malformed(let f, let w): return "\(f): not a valid .npy file: \(w)"
        case .unsupportedDType(let f, let d): return "\(f): dtype \(d) is not supported; save floats as float32 (np.float32) or float64, ids as a little-endian integer type"
        case .fortranOrder(let f): return "\(f): the array is in Fortran order; save it with np.ascontiguousarray"
        }
    }
}
