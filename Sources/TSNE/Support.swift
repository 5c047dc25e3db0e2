import Dispatch
import RealModule

/// Threads for the t-SNE's parallel loops, bound for the duration of a public
/// call (`TSNE.embed` binds `TSNEOptions.threads`; the quality measures take a
/// `threads` argument); 1 outside such a call. Work is split into fixed chunks
/// and reductions run in chunk order, so a fixed count gives bit-identical output.
enum TSNEThreads {
    @TaskLocal static var count: Int = 1
}

/// Runs `body` over `0..<n` in at most `TSNEThreads.count` contiguous chunks.
@inline(__always)
func parallelFor(_ n: Int, minChunk: Int = 64, _ body: (Range<Int>) -> Void) {
    let t = min(TSNEThreads.count, max(1, n / max(1, minChunk)))
    if t <= 1 { body(0..<n); return }
    let size = (n + t - 1) / t
    DispatchQueue.concurrentPerform(iterations: t) { c in
        let lo = c * size, hi = min(n, lo + size)
        if lo < hi { body(lo..<hi) }
    }
}

/// A seeded generator (SplitMix64; the module depends on nothing of ours).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed ^ 0x5DEE_CE66_D1CE_4E5B }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
    mutating func normal() -> Double {
        var u = unit()
        while u <= 0 { u = unit() }
        return (-2 * Double.log(u)).squareRoot() * Double.cos(2 * Double.pi * unit())
    }
}

/// A fixed-size buffer with a stable address (freed in deinit).
final class Buffer<T>: @unchecked Sendable {
    let p: UnsafeMutablePointer<T>
    let count: Int
    init(_ count: Int, _ value: T) {
        self.count = count
        p = .allocate(capacity: max(count, 1))
        p.initialize(repeating: value, count: max(count, 1))
    }
    deinit { p.deallocate() }
    var array: [T] { Array(UnsafeBufferPointer(start: p, count: count)) }
}

@inline(__always)
func dotF(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD16<Float>()
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i + 16 <= n {
        acc += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
        i += 16
    }
    var s = acc.sum()
    while i < n { s += a[i] * b[i]; i += 1 }
    return s
}
