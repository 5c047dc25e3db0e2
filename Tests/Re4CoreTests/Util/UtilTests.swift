import Foundation
import XCTest
import TestSupport
@testable import Re4Core

final class UtilTests: XCTestCase {
    func testSHA256KnownVectors() {
        // FIPS 180-4 examples, through swift-crypto.
        XCTAssertEqual(Digest.sha256Hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(Digest.sha256Hex([UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(Digest.sha256Hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(Digest.hex([0x0f, 0xa0, 0xff], bytes: 2), "0fa0")
    }

    func testSeededRandomIsDeterministicAndUniformEnough() {
        var a = SeededRandom(seed: 7), b = SeededRandom(seed: 7), c = SeededRandom(seed: 8)
        let xa = (0..<5).map { _ in a.next() }, xb = (0..<5).map { _ in b.next() }, xc = (0..<5).map { _ in c.next() }
        XCTAssertEqual(xa, xb)
        XCTAssertNotEqual(xa, xc)
        var r = SeededRandom(seed: 1)
        var counts = [Int](repeating: 0, count: 10)
        for _ in 0..<100_000 { counts[r.below(10)] += 1 }
        for c in counts { XCTAssertEqual(Double(c), 10_000, accuracy: 500) }
        var mean = 0.0, sq = 0.0
        for _ in 0..<50_000 { let x = r.normal(); mean += x; sq += x * x }
        XCTAssertEqual(mean / 50_000, 0, accuracy: 0.03)
        XCTAssertEqual(sq / 50_000, 1, accuracy: 0.03)
        var s1 = SeededRandom(seed: 3), s2 = SeededRandom(seed: 3)
        var p1 = Array(0..<50), p2 = Array(0..<50)
        s1.shuffle(&p1); s2.shuffle(&p2)
        XCTAssertEqual(p1, p2)
        XCTAssertEqual(p1.sorted(), Array(0..<50))
        XCTAssertNotEqual(p1, Array(0..<50))
    }

    func testAtomicWriteRefusesMissingFolderAndReplacesWhole() throws {
        let dir = makeTempDir()
        assertThrowsMessage(["does not exist"]) { try AtomicFile.write("x", to: dir + "/nope/file.txt") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/nope"))
        try AtomicFile.write("first", to: dir + "/f.txt")
        try AtomicFile.write("second", to: dir + "/f.txt")
        XCTAssertEqual(try String(contentsOfFile: dir + "/f.txt", encoding: .utf8), "second")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["f.txt"], "no temporary file is left")
    }
}

final class FastMathTests: XCTestCase {
    func testExpAndTanhAgainstFoundation() {
        var worstExp: Float = 0, worstTanh: Float = 0
        var x: Float = -80
        while x < 80 {
            worstExp = max(worstExp, abs(FastMath.exp(x) - Foundation.exp(x)) / Foundation.exp(x))
            if abs(x) < 30 { worstTanh = max(worstTanh, abs(FastMath.tanh(x) - Foundation.tanh(x))) }
            x += 0.00371
        }
        XCTAssertLessThan(worstExp, 3e-7)
        XCTAssertLessThan(worstTanh, 3e-7)
        XCTAssertEqual(FastMath.exp(-1e9), 0, "masked logits get exactly zero weight")
        XCTAssertEqual(FastMath.tanh(100), 1, accuracy: 6e-8)
        XCTAssertEqual(FastMath.tanh(-100), -1, accuracy: 6e-8)
        XCTAssertEqual(FastMath.tanh(0), 0)
        XCTAssertTrue(FastMath.exp(.nan).isNaN, "NaN propagates instead of trapping")
        XCTAssertTrue(FastMath.tanh(.nan).isNaN)
    }

    func testSixteenLaneExpGivesTheScalarBits() {
        var x: Float = -95
        while x < 95 {
            let v = SIMD16<Float>((0..<16).map { x + Float($0) * 0.0137 })
            let e = FastMath.exp(v)
            for l in 0..<16 { XCTAssertEqual(e[l].bitPattern, FastMath.exp(v[l]).bitPattern, "x = \(v[l])") }
            x += 0.719
        }
        XCTAssertTrue(FastMath.exp(SIMD16<Float>(repeating: .nan))[3].isNaN)
    }

    func testRowMaximumAndShiftedExpSum() {
        for count in [0, 1, 15, 16, 17, 37, 160] {
            var row = (0..<count).map { Float(($0 * 7919) % 113) / 9 - 6 }
            let m = FastMath.maximum(row, count, start: -3)
            XCTAssertEqual(m, max(-3, row.max() ?? -3), "count \(count)")
            let expected = row.map { Foundation.exp(Double($0 - m)) }
            let s = row.withUnsafeMutableBufferPointer { FastMath.expShifted($0.baseAddress!, count, shift: m) }
            for i in 0..<count { XCTAssertEqual(Double(row[i]), expected[i], accuracy: 3e-7 * expected[i]) }
            XCTAssertEqual(Double(s), expected.reduce(0, +), accuracy: 1e-6 * max(1, expected.reduce(0, +)))
        }
        for at in [3, 18] {
            var withNaN: [Float] = Array(repeating: 1, count: 20); withNaN[at] = .nan
            let s = withNaN.withUnsafeMutableBufferPointer { FastMath.expShifted($0.baseAddress!, 20, shift: 1) }
            XCTAssertTrue(s.isNaN, "a NaN logit (at \(at)) makes the sum NaN, so training stops on it")
        }
    }
}

/// OpenBLAS's kernel choice: restart only when the user chose none and the CPU can do better.
final class BLASKernelTests: XCTestCase {
    let avx512: Set<String> = ["fma", "avx", "avx2", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]

    func testBestKernelByFeatures() {
        XCTAssertEqual(BLASKernel.best(flags: avx512), "SkylakeX")
        XCTAssertEqual(BLASKernel.best(flags: ["fma", "avx", "avx2"]), "Haswell")
        XCTAssertEqual(BLASKernel.best(flags: ["avx2"]), nil, "AVX2 without FMA: no named kernel")
        XCTAssertEqual(BLASKernel.best(flags: ["avx512f", "avx2", "fma"]), "Haswell", "AVX-512 foundation alone is not SkylakeX")
        XCTAssertNil(BLASKernel.best(flags: []))
    }

    func testOverrideOnlyWhenOpenBLASFellBackAndTheUserChoseNothing() {
        XCTAssertEqual(BLASKernel.override(current: "Prescott", flags: avx512, environment: [:]), "SkylakeX")
        XCTAssertEqual(BLASKernel.override(current: "Sandybridge", flags: ["fma", "avx2"], environment: [:]), "Haswell")
        XCTAssertNil(BLASKernel.override(current: "Prescott", flags: avx512, environment: ["OPENBLAS_CORETYPE": "Haswell"]), "the user's choice stands")
        XCTAssertNil(BLASKernel.override(current: "SkylakeX", flags: avx512, environment: [:]), "already the best")
        XCTAssertNil(BLASKernel.override(current: "Cooperlake", flags: avx512, environment: [:]), "as strong as SkylakeX")
        XCTAssertNil(BLASKernel.override(current: "Zen", flags: ["fma", "avx2"], environment: [:]))
        XCTAssertNil(BLASKernel.override(current: "Prescott", flags: ["sse3"], environment: [:]), "nothing better to run")
    }

    func testThisProcessReportsAKernelAndItsCPUFlags() {
        XCTAssertFalse(BLASKernel.current.isEmpty)
        XCTAssertNotEqual(BLASKernel.current, "unknown")
        #if arch(x86_64)
        XCTAssertTrue(BLASKernel.cpuFlags().contains("sse2"), "x86-64 always has SSE2")
        #endif
    }
}
