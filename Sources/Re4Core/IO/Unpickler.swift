import Foundation

/// A restricted unpickler for PyTorch state dicts (docs/interop.md). It reads
/// the opcodes `torch.save` writes (protocols 2–4) and builds plain values;
/// the only callables it knows are the handful a state dict needs, and it
/// *interprets* them — nothing from the file is ever looked up, imported or
/// run. Any other global is refused by name. Every length is checked against
/// the bytes that remain before it is used.
struct Unpickler {
    indirect enum Value: Equatable {
        case none
        case bool(Bool)
        case int(Int64)
        case float(Double)
        case string(String)
        case bytes([UInt8])
        case tuple([Value])
        case list([Value])
        /// Keys and values in insertion order (OrderedDict or dict).
        case dict([(Value, Value)])
        /// An allowed global, by its dotted name.
        case global(String)
        /// A storage reference from a persistent id: dtype name (`FloatStorage`), key, element count.
        case storage(type: String, key: String, count: Int)
        /// A tensor view of a storage.
        case tensor(TensorRef)

        static func == (a: Value, b: Value) -> Bool {
            switch (a, b) {
            case (.none, .none): return true
            case let (.bool(x), .bool(y)): return x == y
            case let (.int(x), .int(y)): return x == y
            case let (.float(x), .float(y)): return x == y
            case let (.string(x), .string(y)): return x == y
            case let (.bytes(x), .bytes(y)): return x == y
            case let (.tuple(x), .tuple(y)), let (.list(x), .list(y)): return x == y
            case let (.dict(x), .dict(y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
            case let (.global(x), .global(y)): return x == y
            case let (.storage(t1, k1, c1), .storage(t2, k2, c2)): return t1 == t2 && k1 == k2 && c1 == c2
            case let (.tensor(x), .tensor(y)): return x == y
            default: return false
            }
        }
    }

    struct TensorRef: Equatable {
        var storageType: String
        var key: String
        var storageCount: Int
        var offset: Int
        var shape: [Int]
        var stride: [Int]
    }

    /// The globals a state dict needs; anything else is refused by name.
    static let allowedGlobals: Set<String> = Set(["collections.OrderedDict", "torch._utils._rebuild_tensor_v2",
                                                  "torch._utils._rebuild_parameter"]
        + storageTypes.keys.map { "torch." + $0 })

    /// Storage classes and the safetensors dtype their bytes are read as (nil: read as unsigned/signed bytes or bool).
    static let storageTypes: [String: (size: Int, dtype: SafeTensors.DType?)] = [
        "FloatStorage": (4, .F32), "DoubleStorage": (8, .F64), "HalfStorage": (2, .F16), "BFloat16Storage": (2, .BF16),
        "LongStorage": (8, .I64), "IntStorage": (4, .I32), "ByteStorage": (1, nil), "BoolStorage": (1, nil),
    ]

    static let maxDepth = 10_000
    static let maxMemo = 1_000_000

    let bytes: [UInt8]
    let source: String
    var pos = 0
    var stack: [Value] = []
    var marks: [Int] = []
    var memo: [Int: Value] = [:]

    init(_ bytes: [UInt8], source: String) { self.bytes = bytes; self.source = source }

    func fail(_ what: String) -> TorchCheckpointError { .malformed(file: source, what: what) }

    mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
        guard n >= 0, n <= bytes.count - pos else { throw fail("the pickle ends inside a value at byte \(pos) (wants \(n) more bytes)") }
        defer { pos += n }
        return bytes[pos..<(pos + n)]
    }
    mutating func u8() throws -> Int { Int(try take(1).first!) }
    mutating func le(_ n: Int) throws -> UInt64 {
        var v: UInt64 = 0
        for (i, b) in try take(n).enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        return v
    }
    mutating func line() throws -> String {
        guard let end = bytes[pos...].firstIndex(of: 0x0a) else { throw fail("the pickle ends inside a GLOBAL name at byte \(pos)") }
        guard end - pos <= 256 else { throw fail("a GLOBAL name longer than 256 bytes at byte \(pos)") }
        defer { pos = end + 1 }
        return String(decoding: bytes[pos..<end], as: UTF8.self)
    }
    mutating func pop() throws -> Value {
        guard let v = stack.popLast() else { throw fail("the pickle pops an empty stack at byte \(pos)") }
        if let m = marks.last, stack.count < m { throw fail("the pickle pops past a MARK at byte \(pos)") }
        return v
    }
    mutating func popMark() throws -> [Value] {
        guard let m = marks.popLast() else { throw fail("the pickle has no MARK to pop at byte \(pos)") }
        defer { stack.removeSubrange(m...) }
        return Array(stack[m...])
    }
    mutating func push(_ v: Value) throws {
        guard stack.count < Self.maxDepth * 10 else { throw fail("the pickle's stack grows past \(Self.maxDepth * 10) values") }
        stack.append(v)
    }
    mutating func put(_ i: Int) throws {
        guard let top = stack.last else { throw fail("the pickle memoises an empty stack at byte \(pos)") }
        guard memo.count < Self.maxMemo || memo[i] != nil else { throw fail("the pickle's memo grows past \(Self.maxMemo) entries") }
        memo[i] = top
    }
    mutating func get(_ i: Int) throws {
        guard let v = memo[i] else { throw fail("the pickle refers to memo entry \(i), which it never stored") }
        try push(v)
    }
    mutating func text(_ n: Int) throws -> String {
        let s = try take(n)
        guard let t = String(validating: s, as: UTF8.self) else { throw fail("a string that is not UTF-8 at byte \(pos - n)") }
        return t
    }
    static func int(_ n: UInt64, bytes k: Int) -> Int64 {
        let shift = UInt64(64 - 8 * k)
        return Int64(bitPattern: n << shift) >> Int64(shift)
    }

    /// Runs the pickle to its STOP and returns the value on top.
    mutating func load() throws -> Value {
        while true {
            let at = pos
            let op = try u8()
            switch op {
            case 0x80: _ = try u8()                                     // PROTO
            case 0x95: _ = try le(8)                                    // FRAME (length; frames are read as one stream)
            case 0x2e: return try pop()                                 // STOP
            case 0x28: marks.append(stack.count)                        // MARK
            case 0x7d: try push(.dict([]))                              // EMPTY_DICT
            case 0x5d: try push(.list([]))                              // EMPTY_LIST
            case 0x29: try push(.tuple([]))                             // EMPTY_TUPLE
            case 0x4e: try push(.none)                                  // NONE
            case 0x88: try push(.bool(true))                            // NEWTRUE
            case 0x89: try push(.bool(false))                           // NEWFALSE
            case 0x4b: try push(.int(Int64(try u8())))                  // BININT1
            case 0x4d: try push(.int(Int64(try le(2))))                 // BININT2
            case 0x4a: try push(.int(Self.int(try le(4), bytes: 4)))    // BININT
            case 0x8a:                                                  // LONG1
                let n = try u8()
                guard n <= 8 else { throw fail("an integer of \(n) bytes at byte \(at); sizes above 64 bits are not a tensor's") }
                try push(.int(n == 0 ? 0 : Self.int(try le(n), bytes: n)))
            case 0x47:                                                  // BINFLOAT (big-endian)
                var v: UInt64 = 0
                for b in try take(8) { v = v << 8 | UInt64(b) }
                try push(.float(Double(bitPattern: v)))
            case 0x58: try push(.string(try text(Int(try le(4)))))     // BINUNICODE
            case 0x8c: try push(.string(try text(try u8())))            // SHORT_BINUNICODE
            case 0x8d:                                                  // BINUNICODE8
                let n = try le(8)
                guard n <= UInt64(bytes.count) else { throw fail("a string of \(n) bytes in a pickle of \(bytes.count)") }
                try push(.string(try text(Int(n))))
            case 0x55: try push(.string(try text(try u8())))            // SHORT_BINSTRING
            case 0x54: try push(.string(try text(Int(try le(4)))))     // BINSTRING
            case 0x43: try push(.bytes(Array(try take(try u8()))))      // SHORT_BINBYTES
            case 0x42: try push(.bytes(Array(try take(Int(try le(4)))))) // BINBYTES
            case 0x71: try put(try u8())                                // BINPUT
            case 0x72: try put(Int(try le(4)))                          // LONG_BINPUT
            case 0x94: try put(memo.count)                              // MEMOIZE
            case 0x68: try get(try u8())                                // BINGET
            case 0x6a: try get(Int(try le(4)))                          // LONG_BINGET
            case 0x74: try push(.tuple(try popMark()))                  // TUPLE
            case 0x85: let a = try pop(); try push(.tuple([a]))         // TUPLE1
            case 0x86: let b = try pop(), a = try pop(); try push(.tuple([a, b]))   // TUPLE2
            case 0x87: let c = try pop(), b = try pop(), a = try pop(); try push(.tuple([a, b, c]))  // TUPLE3
            case 0x6c: try push(.list(try popMark()))                   // LIST
            case 0x61:                                                  // APPEND
                let v = try pop()
                guard case .list(var l) = try pop() else { throw fail("APPEND to something that is not a list at byte \(at)") }
                l.append(v); try push(.list(l))
            case 0x65:                                                  // APPENDS
                let items = try popMark()
                guard case .list(var l) = try pop() else { throw fail("APPENDS to something that is not a list at byte \(at)") }
                l += items; try push(.list(l))
            case 0x64:                                                  // DICT
                let items = try popMark()
                guard items.count % 2 == 0 else { throw fail("DICT with an odd number of items at byte \(at)") }
                try push(.dict(stride(from: 0, to: items.count, by: 2).map { (items[$0], items[$0 + 1]) }))
            case 0x73:                                                  // SETITEM
                let v = try pop(), k = try pop()
                guard case .dict(var d) = try pop() else { throw fail("SETITEM on something that is not a dict at byte \(at)") }
                d.append((k, v)); try push(.dict(d))
            case 0x75:                                                  // SETITEMS
                let items = try popMark()
                guard items.count % 2 == 0 else { throw fail("SETITEMS with an odd number of items at byte \(at)") }
                guard case .dict(var d) = try pop() else { throw fail("SETITEMS on something that is not a dict at byte \(at)") }
                for i in stride(from: 0, to: items.count, by: 2) { d.append((items[i], items[i + 1])) }
                try push(.dict(d))
            case 0x63:                                                  // GLOBAL "module\nname\n"
                let module = try line(), name = try line()
                try push(try global(module + "." + name))
            case 0x93:                                                  // STACK_GLOBAL
                guard case .string(let name) = try pop(), case .string(let module) = try pop() else {
                    throw fail("STACK_GLOBAL without two names at byte \(at)")
                }
                try push(try global(module + "." + name))
            case 0x51:                                                  // BINPERSID
                try push(try persistent(try pop()))
            case 0x52:                                                  // REDUCE
                let args = try pop(), f = try pop()
                try push(try reduce(f, args))
            case 0x62:                                                  // BUILD: state set on an object
                _ = try pop()
                guard let top = stack.last else { throw fail("BUILD without an object at byte \(at)") }
                switch top {
                case .dict, .tensor: break   // OrderedDict's _metadata, a tensor's state: not needed
                default: throw fail("BUILD on a \(top) at byte \(at)")
                }
            default:
                throw fail(String(format: "pickle opcode 0x%02x at byte %d is not one a state dict uses; nothing was run", op, at))
            }
        }
    }

    func global(_ name: String) throws -> Value {
        guard Self.allowedGlobals.contains(name) else { throw TorchCheckpointError.forbiddenGlobal(file: source, name: name) }
        return .global(name)
    }

    /// `('storage', torch.FloatStorage, key, location, numel)`.
    func persistent(_ pid: Value) throws -> Value {
        guard case .tuple(let t) = pid, t.count >= 5, case .string("storage") = t[0], case .global(let type) = t[1],
              case .string(let key) = t[2], case .int(let count) = t[4] else {
            throw fail("a persistent id that is not ('storage', type, key, location, size)")
        }
        let short = String(type.dropFirst("torch.".count))
        guard Self.storageTypes[short] != nil else { throw fail("a persistent id whose type \(type) is not a storage") }
        guard count >= 0, count <= Int64(Int32.max) * 4 else { throw fail("storage \(key) claims \(count) elements") }
        return .storage(type: short, key: key, count: Int(count))
    }

    func reduce(_ f: Value, _ args: Value) throws -> Value {
        guard case .global(let name) = f else { throw fail("REDUCE of something that is not a known callable") }
        guard case .tuple(let a) = args else { throw fail("REDUCE of \(name) without an argument tuple") }
        switch name {
        case "collections.OrderedDict":
            guard a.isEmpty else { throw fail("OrderedDict built from arguments; only OrderedDict() is read") }
            return .dict([])
        case "torch._utils._rebuild_parameter":
            guard let t = a.first, case .tensor = t else { throw fail("_rebuild_parameter without a tensor") }
            return t
        case "torch._utils._rebuild_tensor_v2":
            guard a.count >= 4, case .storage(let type, let key, let count) = a[0], case .int(let offset) = a[1],
                  case .tuple(let size) = a[2], case .tuple(let stride) = a[3] else {
                throw fail("_rebuild_tensor_v2 without (storage, offset, size, stride)")
            }
            let shape = try size.map { v -> Int in
                guard case .int(let s) = v, s >= 0, s <= Int64(Int32.max) else { throw fail("a tensor size that is not a count: \(v)") }
                return Int(s)
            }
            let strides = try stride.map { v -> Int in
                guard case .int(let s) = v, s >= 0, s <= Int64(Int32.max) else { throw fail("a tensor stride that is not ≥ 0: \(v)") }
                return Int(s)
            }
            guard shape.count == strides.count else { throw fail("a tensor with \(shape.count) sizes and \(strides.count) strides") }
            guard offset >= 0, offset <= Int64(count) else { throw fail("a tensor offset \(offset) outside its storage of \(count)") }
            // The furthest element the view reaches must lie inside the storage (overflow-checked).
            if !shape.contains(0) {
                var last = Int(offset)
                for (s, st) in zip(shape, strides) {
                    let (m, o1) = (s - 1).multipliedReportingOverflow(by: st)
                    let (n, o2) = last.addingReportingOverflow(m)
                    guard !o1, !o2 else { throw fail("a tensor view whose extent overflows") }
                    last = n
                }
                guard last < count else { throw fail("a tensor view reaching element \(last) of a storage of \(count)") }
            }
            var elements = 1
            for s in shape {
                let (e, o) = elements.multipliedReportingOverflow(by: s)
                guard !o, e <= Int(Int32.max) * 4 else { throw fail("a tensor of more than 2³³ elements") }
                elements = e
            }
            return .tensor(TensorRef(storageType: type, key: key, storageCount: count, offset: Int(offset), shape: shape, stride: strides))
        default:
            throw fail("\(name) is not called by a state dict")
        }
    }
}
