/// A seeded, platform-independent pseudo-random generator (xoshiro256**, seeded
/// through SplitMix64, as recommended by Blackman & Vigna).
///
/// Swift's `SystemRandomNumberGenerator` is not seedable and the standard
/// library's `shuffle(using:)` / `random(in:using:)` algorithms are not promised
/// to stay the same across releases, so everything that must give the same bytes
/// for the same seed draws through this type and the helpers below.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    // Inlinable (with the state visible to the inliner): the trainer draws through it in its hot loops from another module.
    @usableFromInline var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    @inlinable
    public init(seed: UInt64) {
        var sm = seed
        func splitmix(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitmix(&sm); s1 = splitmix(&sm); s2 = splitmix(&sm); s3 = splitmix(&sm)
    }

    /// A generator for an independent stream, derived from a seed and a label
    /// (e.g. "split", "shuffle-epoch-3"), so streams do not interfere.
    public init(seed: UInt64, stream: String) {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a 64
        for b in stream.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        self.init(seed: seed ^ h)
    }

    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// Uniform integer in `0..<bound` (Lemire's nearly-divisionless method).
    @inlinable @inline(__always)
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let t = (0 &- b) % b
            while m.low < t { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// Uniform float in [0, 1) with 24 random bits.
    @inlinable @inline(__always)
    public mutating func unitFloat() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Uniform double in [0, 1) with 53 random bits.
    @inlinable @inline(__always)
    public mutating func unitDouble() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// Standard normal draw (Box–Muller, one value per call; the second is discarded
    /// to keep the stream simple to reason about).
    @inlinable
    public mutating func normal() -> Double {
        var u1 = unitDouble()
        while u1 <= 0 { u1 = unitDouble() }
        let u2 = unitDouble()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }

    /// Fisher–Yates shuffle with this generator; the algorithm is fixed here.
    @inlinable
    public mutating func shuffle<T>(_ a: inout [T]) {
        var i = a.count - 1
        while i > 0 {
            let j = below(i + 1)
            if i != j { a.swapAt(i, j) }
            i -= 1
        }
    }
}

#if canImport(Glibc)
import Glibc
@usableFromInline @inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
@usableFromInline @inline(__always) func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Darwin
@usableFromInline @inline(__always) func _log(_ x: Double) -> Double { Darwin.log(x) }
@usableFromInline @inline(__always) func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
