/// Branch-free exp and tanh for the hot loops, written so the compiler can
/// vectorise them (glibc's expf/tanhf are scalar calls; tanh alone took over a
/// quarter of a Re4 training step).
///
/// exp: n = round(x·log2 e), y = x − n·ln 2 (|y| ≤ ln2/2); e^y
/// by its Taylor series to degree 6 (remainder ≤ (ln2/2)^7/7! ≈ 1.2e-7, about
/// one float ulp), and 2^n is built in the exponent bits. Inputs are clamped to
/// [-87, 88] so the result stays a normal float; below −87 it is exactly 0.
/// tanh: 1 − 2/(e^{2x}+1), with x clamped to ±9 (tanh is ±1 in float beyond).
/// Absolute error of both is below 3e-7 relative / absolute respectively,
/// checked against Foundation in the tests.
public enum FastMath {
    @inline(__always)
    public static func exp(_ x: Float) -> Float {
        let xc = min(max(x, -87), 88)
        // Round to the nearest integer with the 1.5·2^23 trick: no float→int
        // conversion that could trap on NaN, and it vectorises.
        let magic: Float = 12_582_912
        let shifted = xc * 1.442_695_04 + magic
        let n = shifted - magic
        let ni = Int32(bitPattern: shifted.bitPattern &- magic.bitPattern)
        // y = x − n·ln 2 in two steps (Cody–Waite): ln2_hi has few mantissa bits,
        // so n·ln2_hi is exact and the reduction loses no accuracy for large |x|.
        let y = (xc - n * 0.693_359_375) + n * 2.121_944_4e-4  // |y| ≤ 0.347
        // Horner form of Σ_{i≤6} y^i / i!
        var p: Float = 1.0 / 720
        p = p * y + 1.0 / 120
        p = p * y + 1.0 / 24
        p = p * y + 1.0 / 6
        p = p * y + 0.5
        p = p * y + 1
        p = p * y + 1
        let bits = UInt32(bitPattern: (ni &+ 127) &<< 23)
        // Below −87 the true value is subnormal or zero: return exactly 0, so
        // masked (−1e9) logits get exactly zero weight.
        return x < -87 ? 0 : p * Float(bitPattern: bits)
    }

    /// `exp` lane by lane, the same operations in the same order (so each lane
    /// gets the bits the scalar version gives), sixteen at a time.
    @inline(__always)
    public static func exp(_ x: SIMD16<Float>) -> SIMD16<Float> {
        typealias V = SIMD16<Float>
        // Masked selects, not pointwiseMin/Max (the standard library lowers those
        // lane by lane); a NaN fails both comparisons and stays NaN.
        let xc = x.replacing(with: -87, where: x .< -87).replacing(with: 88, where: x .> 88)
        let magic = V(repeating: 12_582_912)
        let shifted = xc * 1.442_695_04 + magic
        let n = shifted - magic
        let ni = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- unsafeBitCast(magic, to: SIMD16<Int32>.self)
        let y = (xc - n * 0.693_359_375) + n * 2.121_944_4e-4
        var p = V(repeating: 1.0 / 720)
        p = p * y + 1.0 / 120
        p = p * y + 1.0 / 24
        p = p * y + 1.0 / 6
        p = p * y + 0.5
        p = p * y + 1
        p = p * y + 1
        let r = p * unsafeBitCast((ni &+ 127) &<< 23, to: V.self)
        return r.replacing(with: 0, where: x .< -87)
    }

    /// Largest of `count` values.
    @inline(__always)
    public static func maximum(_ x: UnsafePointer<Float>, _ count: Int, start: Float) -> Float {
        var v = SIMD16<Float>(repeating: start)
        var i = 0
        let raw = UnsafeRawPointer(x)
        while i + 16 <= count {
            let x = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            v.replace(with: x, where: x .> v)
            i += 16
        }
        var m = v.max()
        while i < count { m = Swift.max(m, x[i]); i += 1 }
        return m
    }

    /// x[i] ← exp(x[i] − shift) for `count` values; returns their sum
    /// (sixteen partial sums, added in a fixed order).
    @inline(__always)
    public static func expShifted(_ x: UnsafeMutablePointer<Float>, _ count: Int, shift: Float) -> Float {
        var acc = SIMD16<Float>(repeating: 0)
        let raw = UnsafeMutableRawPointer(x), sh = SIMD16<Float>(repeating: shift)
        var i = 0
        while i + 16 <= count {
            let e = exp(raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) - sh)
            raw.storeBytes(of: e, toByteOffset: i * 4, as: SIMD16<Float>.self)
            acc += e
            i += 16
        }
        var s = acc.sum()
        while i < count { let e = exp(x[i] - shift); x[i] = e; s += e; i += 1 }
        return s
    }

    @inline(__always)
    public static func tanh(_ x: Float) -> Float {
        let xc = min(max(x, -9), 9)
        return 1 - 2 / (exp(2 * xc) + 1)
    }
}
