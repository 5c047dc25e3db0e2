import COpenBLAS
import Dispatch

/// Row-major single-precision matrix multiply through OpenBLAS:
/// `C[m×n] = alpha · op(A) · op(B) + beta · C`, where op(A) is m×k and op(B) is k×n.
/// `lda`, `ldb`, `ldc` are the row strides of A, B, C as stored.
@inline(__always)
public func sgemm(_ transA: Bool, _ transB: Bool, m: Int, n: Int, k: Int,
                  alpha: Float = 1, _ a: UnsafePointer<Float>, lda: Int,
                  _ b: UnsafePointer<Float>, ldb: Int,
                  beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
    if m == 0 || n == 0 { return }
    if k == 0 {
        if beta == 0 { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
        else if beta != 1 { for i in 0..<m { for j in 0..<n { c[i * ldc + j] *= beta } } }
        return
    }
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// Thread settings for the numeric code. OpenBLAS and our own loops use the
/// same count; with a fixed count every result is bit-for-bit repeatable
/// (our loops split work into fixed chunks and reduce in chunk order).
public enum Threads {
    nonisolated(unsafe) public private(set) static var count: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    public static func set(_ n: Int) {
        count = max(1, n)
        openblas_set_num_threads(Int32(count))
    }
}

/// Runs `body` over `0..<n` split into at most `Threads.count` contiguous chunks.
/// Chunk boundaries depend only on `n` and the thread count.
@inline(__always)
public func parallelChunks(_ n: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
    let t = min(Threads.count, max(1, n / max(1, minChunk)))
    if t <= 1 { body(0..<n); return }
    let size = (n + t - 1) / t
    DispatchQueue.concurrentPerform(iterations: t) { c in
        let lo = c * size, hi = min(n, lo + size)
        if lo < hi { body(lo..<hi) }
    }
}

import Foundation
