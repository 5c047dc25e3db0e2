import Foundation

/// The safetensors format (Hugging Face): an 8-byte little-endian header length
/// N, N bytes of JSON (`{"name": {"dtype", "shape", "data_offsets": [begin, end]},
/// "__metadata__": {string: string}}`, padded with spaces to a multiple of 8),
/// then the tensor bytes, little-endian, row-major. Offsets are relative to the
/// end of the header; tensors must tile the data buffer without holes or
/// overlaps, as the reference implementation requires.
public struct SafeTensors: Sendable, Equatable {
    public enum DType: String, Sendable, CaseIterable {
        case F32, F64, I64, I32, F16, BF16
        var size: Int { switch self { case .F32, .I32: return 4; case .F64, .I64: return 8; case .F16, .BF16: return 2 } }
    }

    public var metadata: [String: String]
    public var tensors: [String: Tensor]
    /// The stored dtype of each tensor (values are converted to Float on read).
    public var dtypes: [String: DType] = [:]

    public init(metadata: [String: String] = [:], tensors: [String: Tensor] = [:]) {
        self.metadata = metadata; self.tensors = tensors
    }

    /// The largest header accepted (the reference implementation's limit, 100 MB).
    public static let maxHeaderBytes = 100_000_000

    // MARK: Reading

    public static func read(path: String) throws -> SafeTensors {
        try parse(readFile(path), source: path)
    }

    public static func parse(_ data: Data, source: String) throws -> SafeTensors {
        func fail(_ what: String) -> SafeTensorsError { .malformed(file: source, what: what) }
        guard data.count >= 8 else { throw fail("the file is \(data.count) bytes, shorter than the 8-byte header length") }
        let n = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard n <= UInt64(maxHeaderBytes) else { throw fail("header length \(n) exceeds the 100 MB limit") }
        guard n <= UInt64(data.count - 8) else {
            throw fail("header length \(n) runs past the end of the file (\(data.count) bytes); the file is truncated")
        }
        let headerBytes = data.subdata(in: (data.startIndex + 8)..<(data.startIndex + 8 + Int(n)))
        guard let json = try? JSONSerialization.jsonObject(with: headerBytes), let obj = json as? [String: Any] else {
            throw fail("the header is not a JSON object")
        }
        let bufferStart = 8 + Int(n)
        let bufferLength = data.count - bufferStart
        var out = SafeTensors()
        var ranges: [(begin: Int, end: Int, name: String)] = []
        for (name, value) in obj {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else { throw fail("__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw fail("__metadata__ value of '\(k)' is not a string") }
                    out.metadata[k] = s
                }
                continue
            }
            guard let info = value as? [String: Any] else { throw fail("tensor '\(name)': entry is not an object") }
            guard let dt = info["dtype"] as? String else { throw fail("tensor '\(name)': no dtype") }
            guard let dtype = DType(rawValue: dt) else {
                throw SafeTensorsError.unsupportedDType(file: source, tensor: name, dtype: dt)
            }
            guard let shapeAny = info["shape"] as? [Any] else { throw fail("tensor '\(name)': no shape") }
            var shape: [Int] = []
            for s in shapeAny {
                guard let v = (s as? NSNumber)?.intValue, v >= 0, v < 1 << 40 else { throw fail("tensor '\(name)': bad shape \(shapeAny)") }
                shape.append(v)
            }
            guard let offs = info["data_offsets"] as? [Any], offs.count == 2,
                  let b = (offs[0] as? NSNumber)?.intValue, let e = (offs[1] as? NSNumber)?.intValue
            else { throw fail("tensor '\(name)': data_offsets is not [begin, end]") }
            guard b >= 0, e >= b, e <= bufferLength else {
                throw fail("tensor '\(name)': data_offsets [\(b), \(e)] outside the \(bufferLength)-byte data buffer")
            }
            var count = 1
            for s in shape {
                let (p, o) = count.multipliedReportingOverflow(by: s)
                guard !o else { throw fail("tensor '\(name)': shape \(shape) overflows") }
                count = p
            }
            let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.size)
            guard !overflow else { throw fail("tensor '\(name)': shape \(shape) overflows") }
            guard bytes == e - b else {
                throw fail("tensor '\(name)': shape \(shape) of \(dt) needs \(bytes) bytes but data_offsets span \(e - b)")
            }
            ranges.append((b, e, name))
            out.dtypes[name] = dtype
            out.tensors[name] = Tensor(shape: shape, values: data.withUnsafeBytes { raw in
                convert(UnsafeRawBufferPointer(rebasing: raw[(bufferStart + b)..<(bufferStart + e)]), dtype: dtype, count: count)
            })
        }
        ranges.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var cursor = 0
        for r in ranges {
            if r.begin < cursor { throw fail("tensor '\(r.name)' overlaps the tensor before it (offset \(r.begin) < \(cursor))") }
            if r.begin > cursor { throw fail("a hole in the data buffer before tensor '\(r.name)' (offset \(cursor) to \(r.begin))") }
            cursor = r.end
        }
        if cursor != bufferLength { throw fail("the data buffer has \(bufferLength - cursor) trailing bytes not covered by any tensor") }
        return out
    }

    static func convert(_ raw: UnsafeRawBufferPointer, dtype: DType, count: Int) -> [Float] {
        var v = [Float](repeating: 0, count: count)
        switch dtype {
        case .F32:
            for i in 0..<count { v[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .F64:
            for i in 0..<count { v[i] = Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
        case .I64:
            for i in 0..<count { v[i] = Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))) }
        case .I32:
            for i in 0..<count { v[i] = Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
        case .F16:
            for i in 0..<count { v[i] = halfToFloat(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        case .BF16:
            for i in 0..<count { v[i] = Float(bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16) }
        }
        return v
    }

    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h >> 15) << 31
        let exp = Int((h >> 10) & 0x1f)
        let frac = UInt32(h & 0x3ff)
        if exp == 0 {
            let v = Float(frac) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -v : v
        }
        if exp == 31 { return Float(bitPattern: sign | 0x7f80_0000 | (frac << 13)) }
        return Float(bitPattern: sign | UInt32(exp - 15 + 127) << 23 | (frac << 13))
    }

    // MARK: Writing

    /// Serialises as F32, tensors in name order, header padded to 8 bytes.
    public func serialized() -> Data {
        let names = tensors.keys.sorted()
        var header = "{"
        var parts: [String] = []
        if !metadata.isEmpty {
            let kv = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            parts.append("\"__metadata__\":{\(kv.joined(separator: ","))}")
        }
        var offset = 0
        for n in names {
            let t = tensors[n]!
            let bytes = t.count * 4
            parts.append("\(jsonString(n)):{\"dtype\":\"F32\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        header += parts.joined(separator: ",") + "}"
        var h = Array(header.utf8)
        while h.count % 8 != 0 { h.append(0x20) }
        var out = Data(capacity: 8 + h.count + offset)
        var len = UInt64(h.count).littleEndian
        withUnsafeBytes(of: &len) { out.append(contentsOf: $0) }
        out.append(contentsOf: h)
        for n in names {
            tensors[n]!.values.withUnsafeBufferPointer { buf in
                #if _endian(little)
                out.append(UnsafeBufferPointer(start: buf.baseAddress, count: buf.count))
                #else
                for v in buf { var b = v.bitPattern.littleEndian; withUnsafeBytes(of: &b) { out.append(contentsOf: $0) } }
                #endif
            }
        }
        return out
    }

    /// Writes atomically (temporary file + rename).
    public func write(path: String) throws { try AtomicFile.write(serialized(), to: path) }

    /// The tensor called `name`, or an error that names the file and tensor.
    public func tensor(_ name: String, source: String) throws -> Tensor {
        guard let t = tensors[name] else { throw SafeTensorsError.missingTensor(file: source, tensor: name) }
        return t
    }
}

/// JSON string literal with the escapes JSON requires.
/// - Parameter forHTML: also escape `<`, `>`, `&`, U+2028 and U+2029, so the
///   literal can sit inside an HTML `<script>` element.
public func jsonString(_ s: String, forHTML: Bool = false) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            let html = forHTML && ["<", ">", "&", "\u{2028}", "\u{2029}"].contains(u)
            if u.value < 0x20 || html { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
        }
    }
    return out + "\""
}

public enum SafeTensorsError: LocalizedError, Equatable {
    case malformed(file: String, what: String)
    case unsupportedDType(file: String, tensor: String, dtype: String)
    case missingTensor(file: String, tensor: String)
    case wrongShape(file: String, tensor: String, expected: [Int], found: [Int])

    public var errorDescription: String? {
        switch self {
        case .malformed(let f, let w):
            return "\(f): not a valid safetensors file: \(w)"
        case .unsupportedDType(let f, let t, let d):
            return "\(f): tensor '\(t)' has dtype \(d), which is not supported; save it as F32, F64, F16, BF16, I32 or I64"
        case .missingTensor(let f, let t):
            return "\(f): tensor '\(t)' is missing; is this a checkpoint of this model and encoder?"
        case .wrongShape(let f, let t, let e, let s):
            return "\(f): tensor '\(t)' has shape \(s), expected \(e); check K, d, L and the item count"
        }
    }
}
