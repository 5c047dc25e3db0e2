import Dispatch
import Foundation
import XCTest
@testable import Re4Core

/// The numeric code runs with subnormal floats flushed to zero on every thread
/// it uses, and hands each thread back in the mode it came in.
final class SubnormalTests: XCTestCase {
    /// Half the smallest normal float, computed at run time (the array keeps
    /// the compiler from folding it): subnormal unless flushed.
    let operands: [Float] = [Float.leastNormalMagnitude, 0.5]
    func product() -> Float { operands[0] * operands[1] }

    override func setUpWithError() throws {
        try XCTSkipIf(Threads.keepSubnormals, "RE4_KEEP_SUBNORMALS=1 turns the flushing off")
    }

    func testFlushedInsideRestoredAfter() {
        XCTAssertGreaterThan(product(), 0, "outside: the product is subnormal, not zero")
        XCTAssertTrue(product().isSubnormal)
        withSubnormalsFlushed {
            XCTAssertEqual(product(), 0, "a subnormal result is flushed")
            // Denormals-are-zero: a subnormal input reads as zero.
            let sub = Float(bitPattern: 1)
            XCTAssertEqual([sub][0] * 2, 0)
        }
        XCTAssertTrue(product().isSubnormal, "the mode is restored")
        Threads.run(2) { XCTAssertEqual(product(), 0) }
        XCTAssertTrue(product().isSubnormal)
    }

    func testEveryChunkOfAParallelLoopIsFlushedAndDispatchThreadsComeBackClean() {
        let n = 64
        let seen = UnsafeMutableBufferPointer<Float>.allocate(capacity: n)
        defer { seen.deallocate() }
        Threads.run(2) {
            parallelChunks(n, minChunk: 1) { r in for i in r { seen[i] = product() } }
        }
        XCTAssertEqual(Array(seen), [Float](repeating: 0, count: n))
        // The same Dispatch threads, outside: subnormals as usual.
        DispatchQueue.concurrentPerform(iterations: n) { seen[$0] = product() }
        XCTAssertTrue(seen.allSatisfy(\.isSubnormal), "\(Array(seen.prefix(4)))")
    }

    /// The product on a new thread started from this one (pthread_create
    /// gives it this thread's floating-point mode).
    func productOnANewThread() -> Float {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var value: Float = -1
        let thread = Thread { value = self.product(); done.signal() }
        thread.start()
        done.wait()
        return value
    }

    /// Dispatch makes the worker threads of a loop from the thread that queues
    /// it, and a new thread starts in its creator's mode: the loop must queue its
    /// work in the mode the caller had outside `Threads.run`, or a worker made
    /// then would compute flushed for the rest of the process.
    func testALoopQueuesItsWorkInTheModeFromOutsideThreadsRun() {
        XCTAssertTrue(productOnANewThread().isSubnormal)
        var queued: [Float] = [], created: [Float] = []
        let n = 8
        let seen = UnsafeMutableBufferPointer<Float>.allocate(capacity: n)
        defer { seen.deallocate() }
        Threads.run(2) {
            XCTAssertEqual(productOnANewThread(), 0, "a thread made inside Threads.run starts flushed")
            concurrentFlushed(n, perform: { iterations, work in
                queued.append(product())
                created.append(productOnANewThread())
                for c in 0..<iterations { work(c) }
            }) { c in seen[c] = product() }
            XCTAssertEqual(product(), 0, "flushed again after the loop")
        }
        XCTAssertTrue(queued.count == 1 && queued[0].isSubnormal, "\(queued)")
        XCTAssertTrue(created.count == 1 && created[0].isSubnormal, "\(created)")
        XCTAssertEqual(Array(seen), [Float](repeating: 0, count: n), "every iteration is flushed")
        XCTAssertTrue(product().isSubnormal)
    }

    func testSplitProductsAreFlushedOnEveryThread() {
        // C = A·B with 1×1 blocks of (leastNormal) · 0.5: large enough to be split over two threads.
        let m = 256, k = 128, n = 128
        let a = [Float](repeating: 0, count: m * k), b = [Float](repeating: 0, count: k * n)
        var aa = a, bb = b
        for i in 0..<m { aa[i * k] = Float.leastNormalMagnitude }
        for j in 0..<n { bb[j] = 0.5 }
        var c = [Float](repeating: 1, count: m * n)
        Threads.run(2) { sgemm(false, false, m: m, n: n, k: k, aa, lda: k, bb, ldb: n, &c, ldc: n) }
        XCTAssertTrue(c.allSatisfy { $0 == 0 }, "every block's subnormal products are zero")
        var c1 = [Float](repeating: 1, count: m * n)
        sgemm(false, false, m: m, n: n, k: k, aa, lda: k, bb, ldb: n, &c1, ldc: n)
        XCTAssertTrue(c1.allSatisfy(\.isSubnormal), "outside Threads.run nothing is flushed")
    }
}
