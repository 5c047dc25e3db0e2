/// Named parameter tensors of a model (and, with the same layout, their
/// gradients and Adam moments). Each tensor lives in a `FloatBuffer`, so the
/// hot code can hold stable pointers; copying a `ParameterSet` shares the
/// buffers (use `copy()` for an independent set).
public struct ParameterSet: @unchecked Sendable {
    public private(set) var names: [String] = []
    public private(set) var shapes: [[Int]] = []
    public private(set) var buffers: [FloatBuffer] = []

    public init() {}

    public mutating func add(_ name: String, shape: [Int], values v: [Float]? = nil) {
        precondition(!names.contains(name), "duplicate parameter \(name)")
        let n = shape.reduce(1, *)
        names.append(name); shapes.append(shape)
        if let v { precondition(v.count == n, "\(name): \(v.count) values for shape \(shape)"); buffers.append(FloatBuffer(v)) }
        else { buffers.append(FloatBuffer(n)) }
    }

    public func index(of name: String) -> Int? { names.firstIndex(of: name) }

    /// Pointer to a parameter by name (crashes on an unknown name: a programming error).
    public func p(_ name: String) -> UnsafeMutablePointer<Float> { buffers[names.firstIndex(of: name)!].p }
    public func has(_ name: String) -> Bool { names.contains(name) }

    public func values(_ name: String) -> [Float] { buffers[names.firstIndex(of: name)!].array }

    /// Same names and shapes, all zeros.
    public func zeros() -> ParameterSet {
        var z = ParameterSet()
        for (n, s) in zip(names, shapes) { z.add(n, shape: s) }
        return z
    }

    public func copy() -> ParameterSet {
        var c = ParameterSet()
        for i in names.indices { c.add(names[i], shape: shapes[i], values: buffers[i].array) }
        return c
    }

    public func zeroAll() { for b in buffers { b.zero() } }

    public var count: Int { buffers.reduce(0) { $0 + $1.count } }

    public func tensors() -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (i, n) in names.enumerated() { out[n] = Tensor(shape: shapes[i], values: buffers[i].array) }
        return out
    }

    /// Content equality (names, shapes and every value).
    public func sameValues(as o: ParameterSet) -> Bool {
        names == o.names && shapes == o.shapes && zip(buffers, o.buffers).allSatisfy { $0.array == $1.array }
    }
}

/// Parameter initialisers of the authors' script (docs/model.md §2.1).
enum Init {
    static func normal(_ n: Int, _ rng: inout SeededRandom, std: Double = 1) -> [Float] {
        (0..<n).map { _ in Float(rng.normal() * std) }
    }
    /// PyTorch `nn.Linear` default: uniform ±1/sqrt(fan_in) for weight and bias.
    static func linear(_ n: Int, fanIn: Int, _ rng: inout SeededRandom) -> [Float] {
        let b = 1 / Double(fanIn).squareRoot()
        return (0..<n).map { _ in Float((rng.unitDouble() * 2 - 1) * b) }
    }
    /// Glorot (Xavier) uniform: ±sqrt(6/(fan_in+fan_out)), ComiRec's TF default.
    static func glorot(_ n: Int, fanIn: Int, fanOut: Int, _ rng: inout SeededRandom) -> [Float] {
        let b = (6 / Double(fanIn + fanOut)).squareRoot()
        return (0..<n).map { _ in Float((rng.unitDouble() * 2 - 1) * b) }
    }
}
