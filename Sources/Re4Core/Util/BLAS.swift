import CKernels
import COpenBLAS
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// Row-major single-precision matrix multiply through OpenBLAS:
/// `C[m×n] = alpha · op(A) · op(B) + beta · C`, where op(A) is m×k and op(B) is k×n.
/// `lda`, `ldb`, `ldc` are the row strides of A, B, C as stored.
///
/// OpenBLAS itself runs single-threaded; large products are split into
/// `Threads.count` blocks of rows (or columns, when m is small) that run on
/// Dispatch's threads. OpenBLAS's own idle threads spin in sched_yield and
/// competed with our parallel loops for the two cores (measured: a quarter of
/// the training time went to the kernel's scheduler), and a fixed split keeps
/// results identical for a fixed thread count.
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
    _ = Threads.configured
    let t = Threads.count
    let flops = m * n * k
    if t <= 1 || flops < 1 << 21 {
        sgemmSerial(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        return
    }
    if m >= 8 * t {
        // Split rows of C (and of op(A)).
        let size = (m + t - 1) / t
        concurrentFlushed(t) { i in
            let lo = i * size, hi = min(m, lo + size)
            guard lo < hi else { return }
            let aBlock = transA ? a + lo : a + lo * lda
            sgemmSerial(transA, transB, hi - lo, n, k, alpha, aBlock, lda, b, ldb, beta, c + lo * ldc, ldc)
        }
    } else {
        // Split columns of C (and of op(B)).
        let size = (n + t - 1) / t
        concurrentFlushed(t) { i in
            let lo = i * size, hi = min(n, lo + size)
            guard lo < hi else { return }
            let bBlock = transB ? b + lo * ldb : b + lo
            sgemmSerial(transA, transB, m, hi - lo, k, alpha, a, lda, bBlock, ldb, beta, c + lo, ldc)
        }
    }
}

@inline(__always)
func sgemmSerial(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                 _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                 _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// Thread count for the numeric code. Every public entry point that runs in
/// parallel takes a thread count and binds it here for the duration of the
/// call (`Threads.run(_:_:)`), so the kernels below it read it without any
/// global being written; outside such a call the count is 1. OpenBLAS itself
/// always runs single-threaded (see `sgemm`). With a fixed count every result
/// is bit-for-bit repeatable: loops split work into fixed chunks and reduce
/// in chunk order.
public enum Threads {
    /// The count bound by the innermost enclosing `run`, else 1.
    @TaskLocal public static var count: Int = 1

    /// This machine's cores: the default of every `--threads` option.
    public static var available: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// The most threads any command accepts (`--threads` is refused above it).
    public static let maximum = 256

    /// Runs `body` with `threads` threads for the numeric code, subnormals flushed
    /// to zero (`withSubnormalsFlushed`).
    public static func run<R>(_ threads: Int, _ body: () throws -> R) rethrows -> R {
        _ = configured
        let outer = outerMode ?? re4_fp_mode()
        return try withSubnormalsFlushed {
            try $outerMode.withValue(outer) { try $count.withValue(max(1, threads), operation: body) }
        }
    }

    /// The floating-point mode of the thread that entered the outermost
    /// `Threads.run`, before it was set to flush subnormals (`concurrentFlushed`).
    @TaskLocal static var outerMode: UInt? = nil

    /// `RE4_KEEP_SUBNORMALS=1`: compute with subnormals (`withSubnormalsFlushed`).
    public static let keepSubnormals = ProcessInfo.processInfo.environment["RE4_KEEP_SUBNORMALS"] == "1"

    /// Runs once on first use: OpenBLAS single-threaded, allocator tuned.
    static let configured: Void = { openblas_set_num_threads(1); keepLargeAllocationsInHeap() }()

    /// Each training step allocates and frees buffers of several MB. glibc serves
    /// those with mmap/munmap by default, so every step would fault its pages in
    /// anew (measured: most of the wall time went to the kernel). Raising the mmap
    /// and trim thresholds keeps freed blocks in the heap for reuse.
    static func keepLargeAllocationsInHeap() {
        #if canImport(Glibc)
        _ = COpenBLAS.mallopt(M_MMAP_THRESHOLD, 512 << 20)
        _ = COpenBLAS.mallopt(M_TRIM_THRESHOLD, 1 << 30)
        #endif
    }
}

/// Runs `body` over `0..<n` split into at most `Threads.count` contiguous chunks.
/// Chunk boundaries depend only on `n` and the thread count.
@inline(__always)
public func parallelChunks(_ n: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
    let t = min(Threads.count, max(1, n / max(1, minChunk)))
    if t <= 1 { body(0..<n); return }
    let size = (n + t - 1) / t
    concurrentFlushed(t) { c in
        let lo = c * size, hi = min(n, lo + size)
        if lo < hi { body(lo..<hi) }
    }
}

/// `DispatchQueue.concurrentPerform` for the numeric code: every iteration
/// runs with subnormals flushed (`withSubnormalsFlushed`), and the calling
/// thread hands the iterations to Dispatch in the mode it had outside
/// `Threads.run`. Why: a worker thread Dispatch creates for the loop is made by
/// the thread that queues the work and starts with that thread's
/// floating-point mode (pthread_create copies it); made from a flushed
/// thread, it would compute flushed for the rest of the process, outside any
/// `Threads.run` too (seen once in CI: SubnormalTests after the step benchmark).
/// `perform` is Dispatch's, or a stand-in in the tests.
@inline(__always)
func concurrentFlushed(_ iterations: Int,
                       perform: (Int, (Int) -> Void) -> Void = { DispatchQueue.concurrentPerform(iterations: $0, execute: $1) },
                       _ body: (Int) -> Void) {
    let inner = re4_fp_mode()
    if let outer = Threads.outerMode { re4_fp_restore(outer) }
    defer { re4_fp_restore(inner) }
    withoutActuallyEscaping(body) { body in perform(iterations) { c in withSubnormalsFlushed { body(c) } } }
}

/// Runs `body` on this thread with subnormal floats flushed to zero (results
/// and inputs), then restores the thread's previous mode. `Threads.run` and
/// every parallel loop of this module use it, so the numeric code under a
/// `Threads.run` computes in one mode on every thread whatever the thread
/// count, and a thread Dispatch lends is handed back as it came. Why: a
/// saturated attention softmax sends values under 1.2·10⁻³⁸ through the
/// encoder's backward products, and on x86 each one takes a microcode assist;
/// Base training on a 114k-item planted gallery ran 3× slower for it
/// (docs/performance.md § Subnormal numbers).
/// `RE4_KEEP_SUBNORMALS=1` in the environment turns it off (for measuring it).
@inline(__always)
public func withSubnormalsFlushed<R>(_ body: () throws -> R) rethrows -> R {
    if Threads.keepSubnormals { return try body() }
    let old = re4_fp_flush_subnormals()
    defer { re4_fp_restore(old) }
    return try body()
}


