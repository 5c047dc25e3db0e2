/// A fixed-size, zero-initialised buffer of floats with a stable address, for
/// the numeric hot paths (BLAS calls and loops take `p` directly). It owns its
/// memory and frees it in `deinit`, which is why it is a class.
public final class FloatBuffer: @unchecked Sendable {
    public let count: Int
    public let p: UnsafeMutablePointer<Float>

    public init(_ count: Int) {
        self.count = count
        p = .allocate(capacity: max(count, 1))
        p.initialize(repeating: 0, count: max(count, 1))
    }

    /// A buffer whose contents are left as they are: only for results that the
    /// next operation overwrites in full (an sgemm with beta = 0, a copy).
    public init(uninitialized count: Int) {
        self.count = count
        p = .allocate(capacity: max(count, 1))
    }

    public convenience init(_ values: [Float]) {
        self.init(values.count)
        values.withUnsafeBufferPointer { p.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit { p.deallocate() }

    public func zero() { p.update(repeating: 0, count: count) }
    public var array: [Float] { Array(UnsafeBufferPointer(start: p, count: count)) }
    public subscript(i: Int) -> Float {
        get { p[i] }
        set { p[i] = newValue }
    }
}

/// Per-index double accumulators written from parallel chunks (each index by
/// one chunk only), summed in index order afterwards.
public final class DoubleBuffer: @unchecked Sendable {
    public let count: Int
    public let p: UnsafeMutablePointer<Double>
    public init(_ count: Int) {
        self.count = count
        p = .allocate(capacity: max(count, 1))
        p.initialize(repeating: 0, count: max(count, 1))
    }
    deinit { p.deallocate() }
    public subscript(i: Int) -> Double {
        get { p[i] }
        set { p[i] = newValue }
    }
    /// Σ in index order (deterministic).
    public var sum: Double { var s = 0.0; for i in 0..<count { s += p[i] }; return s }
}
