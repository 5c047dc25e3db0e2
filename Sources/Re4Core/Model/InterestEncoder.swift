import Foundation

/// What an encoder's forward pass leaves for the losses and its own backward.
public final class EncoderState: @unchecked Sendable {
    /// Attention of interest k on position l, (B, K, L); rows sum to 1 over valid positions.
    public let A: FloatBuffer
    /// Pre-softmax attention logits (B, K, L), padding at `Masking.logit`; for
    /// Re-attend's log-softmax. Unused when `attentionHasGradient` is false.
    public let logits: FloatBuffer
    /// Raw interests Z (B, K, d), used by the backward flows.
    public let Z: FloatBuffer
    /// Interests used for matching U (B, K, d).
    public let U: FloatBuffer
    /// Encoder-specific saved tensors.
    public var saved: [String: FloatBuffer] = [:]

    init(B: Int, K: Int, L: Int, d: Int) {
        A = FloatBuffer(B * K * L); logits = FloatBuffer(B * K * L)
        Z = FloatBuffer(B * K * d); U = FloatBuffer(B * K * d)
    }
}

/// "History → K interest vectors" (docs/model.md §2). Forward and hand-written backward.
public protocol InterestEncoder: Sendable {
    var config: ModelConfig { get }
    /// Whether the attention logits carry gradient (false for dynamic routing,
    /// whose routing weights are computed without gradient).
    var attentionHasGradient: Bool { get }
    /// Adds this encoder's parameters (excluding the embedding) with their initial values.
    func initialize(_ params: inout ParameterSet, _ rng: inout SeededRandom)
    func forward(_ batch: HistoryBatch, _ params: ParameterSet) -> EncoderState
    /// Accumulates parameter gradients into `grads` and the gradient with respect
    /// to the batch's distinct item embeddings into `dXu` (nu × d).
    /// - Parameters:
    ///   - dU: ∂loss/∂U (B·K·d); - dZ: ∂loss/∂Z from the flows (B·K·d), may be nil;
    ///   - dLogits: ∂loss/∂logits (B·K·L) from Re-attend, may be nil.
    func backward(_ batch: HistoryBatch, _ params: ParameterSet, _ state: EncoderState,
                  dU: FloatBuffer, dZ: FloatBuffer?, dLogits: FloatBuffer?,
                  grads: inout ParameterSet, dXu: FloatBuffer)
}

public func makeEncoder(_ config: ModelConfig) -> any InterestEncoder {
    switch config.encoder {
    case .re4: return Re4Encoder(config: config)
    case .comirecSA: return ComiRecSAEncoder(config: config)
    case .comirecDR: return ComiRecDREncoder(config: config)
    case .portComiRecSA: return PortComiRecSAEncoder(config: config)
    case .portComiRecDR, .portMIND: return PortCapsuleEncoder(config: config)
    }
}

// MARK: Shared kernels

/// Masked softmax over the last axis of (rows, L) logits, in place into `out`;
/// a row's padding entries hold `Masking.logit` and come out exactly 0.
@inline(__always)
func softmaxRows(_ logits: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, L: Int) {
    for r in 0..<rows {
        let x = logits + r * L, y = out + r * L
        var m = -Float.infinity
        for l in 0..<L { m = max(m, x[l]) }
        var s: Float = 0
        for l in 0..<L { let e = FastMath.exp(x[l] - m); y[l] = e; s += e }
        let inv = 1 / s
        for l in 0..<L { y[l] *= inv }
    }
}

/// Softmax backward: dx = y ⊙ (dy − Σ y·dy), per row of length L.
@inline(__always)
func softmaxBackwardRows(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                         rows: Int, L: Int) {
    for r in 0..<rows {
        let yr = y + r * L, dyr = dy + r * L, dxr = dx + r * L
        var s: Float = 0
        for l in 0..<L { s += yr[l] * dyr[l] }
        for l in 0..<L { dxr[l] = yr[l] * (dyr[l] - s) }
    }
}

/// Z[b,k,:] = Σ_l A[b,k,l] · V[idx(b,l), :] over valid positions (V is per distinct item).
func attendPooling(_ batch: HistoryBatch, A: UnsafePointer<Float>, V: UnsafePointer<Float>,
                   Z: UnsafeMutablePointer<Float>, K: Int) {
    let L = batch.L, d = batch.d
    batch.idx.withUnsafeBufferPointer { idx in
        parallelChunks(batch.B, minChunk: 16) { range in
            for b in range {
                for k in 0..<K {
                    let z = Z + (b * K + k) * d
                    z.update(repeating: 0, count: d)
                    for l in 0..<L {
                        let u = Int(idx[b * L + l]); if u < 0 { continue }
                        Kernels.axpy(A[(b * K + k) * L + l], V + u * d, z, d)
                    }
                }
            }
        }
    }
}

/// Backward of `attendPooling`: dA[b,k,l] = dZ[b,k]·V[idx]; dV[idx] += Σ_k A[b,k,l]·dZ[b,k].
/// The per-position sums are formed in parallel, then added into dV in position order.
func attendPoolingBackward(_ batch: HistoryBatch, A: UnsafePointer<Float>, V: UnsafePointer<Float>,
                           dZ: UnsafePointer<Float>, dA: UnsafeMutablePointer<Float>, dV: UnsafeMutablePointer<Float>, K: Int) {
    let L = batch.L, d = batch.d, B = batch.B
    let perPos = FloatBuffer(B * L * d)
    batch.idx.withUnsafeBufferPointer { idx in
        parallelChunks(B, minChunk: 16) { range in
            for b in range {
                for l in 0..<L {
                    let u = Int(idx[b * L + l])
                    if u < 0 { for k in 0..<K { dA[(b * K + k) * L + l] = 0 }; continue }
                    let v = V + u * d, pp = perPos.p + (b * L + l) * d
                    for k in 0..<K {
                        let g = dZ + (b * K + k) * d
                        dA[(b * K + k) * L + l] = Kernels.dot(g, v, d)
                        Kernels.axpy(A[(b * K + k) * L + l], g, pp, d)
                    }
                }
            }
        }
        for pos in 0..<(B * L) {
            let u = Int(idx[pos]); if u < 0 { continue }
            let src = perPos.p + pos * d, dst = dV + u * d
            for j in 0..<d { dst[j] += src[j] }
        }
    }
}

/// out = tanh(out + bias) for `rows` rows of width `n`.
@inline(__always)
func addBiasTanh(_ x: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, rows: Int, n: Int) {
    for r in 0..<rows {
        let row = x + r * n
        if let bias { for j in 0..<n { row[j] = FastMath.tanh(row[j] + bias[j]) } } else { for j in 0..<n { row[j] = FastMath.tanh(row[j]) } }
    }
}

/// Adds the column sums of a rows×n matrix into `acc` (row order fixed).
@inline(__always)
func addColumnSums(_ x: UnsafePointer<Float>, rows: Int, n: Int, into acc: UnsafeMutablePointer<Float>) {
    for r in 0..<rows { let row = x + r * n; for j in 0..<n { acc[j] += row[j] } }
}

