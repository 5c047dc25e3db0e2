import CKernels
import Foundation

/// Adam with PyTorch's semantics (docs/model.md §4): weight decay is added to the
/// gradient (`Adam(weight_decay=…)`, not AdamW), and the update is
/// p −= (lr / (1−β1^t)) · m / (sqrt(v)/sqrt(1−β2^t) + ε).
public struct Adam: Sendable {
    /// The update of elements `r` (CKernels' `re4_adam_update`, vectorised per
    /// instruction set). Swift's own loop stayed scalar: `Float.squareRoot()`
    /// keeps errno semantics, a `sqrtss` plus a `sqrtf` call per element, which
    /// at a 114k-item gallery made Adam a fifth of a Base step. The C code does
    /// the same operations in the same order, so the bits do not change
    /// (`AdamTests.testVectorisedKernelGivesTheScalarBits`).
    @inline(__always)
    static func kernel(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                       _ v: UnsafeMutablePointer<Float>, _ r: Range<Int>, b1: Float, b2: Float, eps e: Float,
                       weightDecay wd: Float, stepSize: Float, sqrtBc2: Float) {
        guard !r.isEmpty else { return }
        re4_adam_update(p + r.lowerBound, g + r.lowerBound, m + r.lowerBound, v + r.lowerBound, r.count,
                        b1, b2, e, wd, stepSize, sqrtBc2)
    }

    public var lr: Float = 0.003
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var eps: Float = 1e-8
    public var weightDecay: Float = 1e-6
    /// Row-wise lazy Adam for the embedding: only rows with gradient this step
    /// are decayed and updated (for catalogues of 10^5+ items).
    public var lazyEmbedding = false
    public private(set) var step: Int = 0
    public var m: ParameterSet
    public var v: ParameterSet

    public init(for params: ParameterSet) { m = params.zeros(); v = params.zeros() }

    /// Restores a saved state.
    public init(m: ParameterSet, v: ParameterSet, step: Int) { self.m = m; self.v = v; self.step = step }

    /// One update. `touchedRows` lists the embedding rows with gradient (used
    /// only with `lazyEmbedding`). The padding row 0 of the embedding stays 0.
    public mutating func update(_ params: ParameterSet, _ grads: ParameterSet, embedding: String, touchedRows: [Int32]) {
        step += 1
        let bc1 = 1 - powf(beta1, Float(step)), bc2 = 1 - powf(beta2, Float(step))
        let stepSize = lr / bc1, sqrtBc2 = bc2.squareRoot()
        let (b1, b2, e, wd) = (beta1, beta2, eps, weightDecay)
        @inline(__always) func kernel(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                                      _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>, _ r: Range<Int>) {
            Adam.kernel(p, g, m, v, r, b1: b1, b2: b2, eps: e, weightDecay: wd, stepSize: stepSize, sqrtBc2: sqrtBc2)
        }
        for i in params.names.indices {
            let name = params.names[i]
            let p = params.buffers[i].p, g = grads.buffers[i].p, mm = m.buffers[i].p, vv = v.buffers[i].p
            let n = params.buffers[i].count
            if name == embedding {
                let d = params.shapes[i][1]
                if lazyEmbedding {
                    for r in touchedRows where r != 0 { let o = Int(r) * d; kernel(p, g, mm, vv, o..<(o + d)) }
                } else {
                    parallelChunks(n - d, minChunk: 16384) { r in kernel(p, g, mm, vv, (r.lowerBound + d)..<(r.upperBound + d)) }
                }
                p.update(repeating: 0, count: d)
            } else {
                parallelChunks(n, minChunk: 16384) { r in kernel(p, g, mm, vv, r) }
            }
        }
    }
}
