import CKernels
import RealModule

/// An iterative complex FFT on split arrays (re, im) of length 2^k or 3·2^k,
/// with twiddles computed once per plan. Length 3·2^k: the three sequences
/// x[3j], x[3j+1], x[3j+2] are transformed by radix-2 stages side by side and
/// combined by one radix-3 stage (decimation in time), so grid sizes need not
/// jump by 4× in area from one power of two to the next.
struct FFTPlan {
    let n: Int
    /// Radix-2 sub-length (n or n/3) and whether a radix-3 stage follows.
    let n2: Int, radix3: Bool
    let cosT: [Double], sinT: [Double]
    /// order[i]: where input i goes before the stages (bit reversal within its
    /// radix-2 block; block i mod 3 for length 3·2^k).
    let order: [Int]

    static func isSupported(_ n: Int) -> Bool {
        n > 0 && (n & (n - 1) == 0 || (n % 3 == 0 && (n / 3) & (n / 3 - 1) == 0))
    }

    init(n: Int) {
        precondition(Self.isSupported(n), "FFT length must be 2^k or 3·2^k")
        let pow2 = n & (n - 1) == 0
        self.n = n
        radix3 = !pow2
        n2 = pow2 ? n : n / 3
        // exp(−2πi t/n) for t < n: the radix-2 stages use t = k·n/len, the
        // radix-3 stage t = k and 2k (k < n/3).
        cosT = (0..<n).map { Double.cos(-2 * Double.pi * Double($0) / Double(n)) }
        sinT = (0..<n).map { Double.sin(-2 * Double.pi * Double($0) / Double(n)) }
        var bits = 0
        while 1 << bits < n2 { bits += 1 }
        let blocks = pow2 ? 1 : 3, sub = n2
        order = (0..<n).map { i in
            var x = i / blocks, y = 0
            for _ in 0..<bits { y = (y << 1) | (x & 1); x >>= 1 }
            return (i % blocks) * sub + y
        }
    }

    /// Forward (inverse = false) or unnormalised inverse transform of one
    /// sequence with stride `stride` starting at re/im.
    func transform(_ re: UnsafeMutablePointer<Double>, _ im: UnsafeMutablePointer<Double>, stride s: Int, inverse: Bool) {
        var tr = [Double](repeating: 0, count: n), ti = tr
        tr.withUnsafeMutableBufferPointer { r in
            ti.withUnsafeMutableBufferPointer { i in
                for k in 0..<n { r[order[k]] = re[k * s]; i[order[k]] = im[k * s] }
                stages(r.baseAddress!, i.baseAddress!, rowStride: 1, width: 1, inverse: inverse)
                for k in 0..<n { re[k * s] = r[k]; im[k * s] = i[k] }
            }
        }
    }

    /// The 1-D transform of every column in `cols` of a row-major n × n grid at
    /// once: each butterfly combines two whole row segments, so the inner loop
    /// runs over contiguous columns in SIMD registers. Each column gets exactly
    /// the arithmetic `transform` would give it.
    func transformColumns(_ re: UnsafeMutablePointer<Double>, _ im: UnsafeMutablePointer<Double>, cols: Range<Int>, inverse: Bool) {
        // The block is copied (in bit-reversed row order) into a contiguous n × w
        // scratch: rows n·8 bytes apart in the grid would all fall into the same
        // cache sets (a power-of-two stride), in the scratch they are w apart.
        let n = self.n, c0 = cols.lowerBound, w = cols.count
        let sre = UnsafeMutablePointer<Double>.allocate(capacity: n * w), sim = UnsafeMutablePointer<Double>.allocate(capacity: n * w)
        defer { sre.deallocate(); sim.deallocate() }
        for i in 0..<n {
            Self.copyRow(from: re + i * n + c0, to: sre + order[i] * w, w)
            Self.copyRow(from: im + i * n + c0, to: sim + order[i] * w, w)
        }
        stages(sre, sim, rowStride: w, width: w, inverse: inverse)
        for i in 0..<n {
            Self.copyRow(from: sre + i * w, to: re + i * n + c0, w)
            Self.copyRow(from: sim + i * w, to: im + i * n + c0, w)
        }
    }

    /// A short row copy; full 16-value rows as two SIMD moves (a memmove call per
    /// 128 bytes was a fifth of an FFT run).
    @inline(__always)
    static func copyRow(from src: UnsafePointer<Double>, to dst: UnsafeMutablePointer<Double>, _ w: Int) {
        if w == 16 {
            let s = UnsafeRawPointer(src), d = UnsafeMutableRawPointer(dst)
            d.storeBytes(of: s.loadUnaligned(as: SIMD8<Double>.self), as: SIMD8<Double>.self)
            d.storeBytes(of: s.loadUnaligned(fromByteOffset: 64, as: SIMD8<Double>.self), toByteOffset: 64, as: SIMD8<Double>.self)
        } else {
            for c in 0..<w { dst[c] = src[c] }
        }
    }

    /// The butterfly stages on input placed by `order`: element r of the
    /// sequence is the `width` values at offset r·rowStride (width 1: one
    /// sequence; width w: w sequences side by side, one per column). In C
    /// (`Sources/CKernels/fft.c`), one version per instruction set chosen at
    /// load time, so a plain release build runs them at the native speed.
    @inline(__always)
    func stages(_ re: UnsafeMutablePointer<Double>, _ im: UnsafeMutablePointer<Double>, rowStride: Int, width: Int, inverse: Bool) {
        cosT.withUnsafeBufferPointer { c in
            sinT.withUnsafeBufferPointer { s in
                re4_fft_stages(re, im, n, n2, radix3 ? 1 : 0, c.baseAddress, s.baseAddress, rowStride, width, inverse ? 1 : 0)
            }
        }
    }

    /// The 1-D transform of every row in `rows` of a row-major n × n grid: the
    /// rows are gathered, transposed, into the same n × w scratch the column
    /// transform uses (so the butterflies run across rows in SIMD registers)
    /// and scattered back. This replaces a whole-grid transpose, its two passes
    /// over memory, and a column transform. Each row gets exactly the
    /// arithmetic `transform` would give it.
    func transformRows(_ re: UnsafeMutablePointer<Double>, _ im: UnsafeMutablePointer<Double>, rows: Range<Int>, inverse: Bool) {
        let n = self.n, r0 = rows.lowerBound, w = rows.count
        let sre = UnsafeMutablePointer<Double>.allocate(capacity: n * w), sim = UnsafeMutablePointer<Double>.allocate(capacity: n * w)
        defer { sre.deallocate(); sim.deallocate() }
        if w == 16 && n % 8 == 0 {
            Self.gather16(re + r0 * n, n, into: sre, order); Self.gather16(im + r0 * n, n, into: sim, order)
        } else {
            for k in 0..<n { let d = order[k] * w; for j in 0..<w { sre[d + j] = re[(r0 + j) * n + k]; sim[d + j] = im[(r0 + j) * n + k] } }
        }
        stages(sre, sim, rowStride: w, width: w, inverse: inverse)
        if w == 16 && n % 8 == 0 {
            Self.scatter16(sre, into: re + r0 * n, n); Self.scatter16(sim, into: im + r0 * n, n)
        } else {
            for k in 0..<n { for j in 0..<w { re[(r0 + j) * n + k] = sre[k * w + j]; im[(r0 + j) * n + k] = sim[k * w + j] } }
        }
    }

    /// scratch[order[k]][j] = grid[j][k] for 16 grid rows n apart: 8 × 8 tiles,
    /// each read as 8 row vectors and written as 8 column vectors.
    @inline(__always)
    static func gather16(_ g: UnsafePointer<Double>, _ n: Int, into s: UnsafeMutablePointer<Double>, _ rev: [Int]) {
        rev.withUnsafeBufferPointer { rv in
            var k = 0
            while k < n {
                for j0 in stride(from: 0, to: 16, by: 8) {
                    let src = g + j0 * n + k
                    for q in 0..<8 {
                        let v = SIMD8<Double>(src[q], src[n + q], src[2 * n + q], src[3 * n + q],
                                              src[4 * n + q], src[5 * n + q], src[6 * n + q], src[7 * n + q])
                        UnsafeMutableRawPointer(s + rv[k + q] * 16 + j0).storeBytes(of: v, as: SIMD8<Double>.self)
                    }
                }
                k += 8
            }
        }
    }

    /// grid[j][k] = scratch[k][j], the inverse of `gather16` without the reordering.
    @inline(__always)
    static func scatter16(_ s: UnsafePointer<Double>, into g: UnsafeMutablePointer<Double>, _ n: Int) {
        var k = 0
        while k < n {
            for j0 in stride(from: 0, to: 16, by: 8) {
                let src = s + k * 16 + j0
                for q in 0..<8 {
                    let v = SIMD8<Double>(src[q], src[16 + q], src[32 + q], src[48 + q],
                                          src[64 + q], src[80 + q], src[96 + q], src[112 + q])
                    UnsafeMutableRawPointer(g + (j0 + q) * n + k).storeBytes(of: v, as: SIMD8<Double>.self)
                }
            }
            k += 8
        }
    }

    /// Blocks of 16 out of the given ranges.
    static func blocks(_ ranges: [Range<Int>]) -> [Range<Int>] {
        var blocks: [Range<Int>] = []
        for r in ranges {
            var c = r.lowerBound
            while c < r.upperBound { let e = min(r.upperBound, c + 16); blocks.append(c..<e); c = e }
        }
        return blocks
    }

    /// Column transforms over the given column ranges, in parallel over blocks
    /// of 16 columns (a block's n × 16 values stay in cache through all stages).
    func transformColumns(_ re: UnsafeMutablePointer<Double>, _ im: UnsafeMutablePointer<Double>, ranges: [Range<Int>], inverse: Bool) {
        let blocks = Self.blocks(ranges)
        parallelFor(blocks.count, minChunk: 1) { r in for b in r { transformColumns(re, im, cols: blocks[b], inverse: inverse) } }
    }

    /// Row transforms over the given row ranges, in parallel over blocks of 16 rows.
    func transformRows(_ re: UnsafeMutablePointer<Double>, _ im: UnsafeMutablePointer<Double>, ranges: [Range<Int>], inverse: Bool) {
        let blocks = Self.blocks(ranges)
        parallelFor(blocks.count, minChunk: 1) { r in for b in r { transformRows(re, im, rows: blocks[b], inverse: inverse) } }
    }

    /// 2-D forward transform of a grid whose non-zero entries lie in rows and
    /// columns `nonZero` (row-major n × n, natural layout in and out): the
    /// non-zero columns first, then every row.
    func forward2D(_ re: UnsafeMutablePointer<Double>, _ im: UnsafeMutablePointer<Double>, nonZero: [Range<Int>]) {
        transformColumns(re, im, ranges: nonZero, inverse: false)
        transformRows(re, im, ranges: [0..<n], inverse: false)
    }

    /// Unnormalised inverse of `forward2D`: every row, then only the columns
    /// in `0..<keepColumns`, which are the only complete ones on return.
    func inverse2D(_ re: UnsafeMutablePointer<Double>, _ im: UnsafeMutablePointer<Double>, keepColumns: Int) {
        transformRows(re, im, ranges: [0..<n], inverse: true)
        transformColumns(re, im, ranges: [0..<keepColumns], inverse: true)
    }

}
