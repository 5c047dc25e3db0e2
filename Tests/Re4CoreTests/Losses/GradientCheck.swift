import Foundation
import XCTest
import TestSupport
@testable import Re4Core

/// Central finite differences against an analytic gradient.
///
/// Relative error = ‖g_analytic − g_numeric‖ / max(‖g_analytic‖, ‖g_numeric‖) over
/// the checked coordinates. It is printed for every check so the log shows how
/// close each backward pass is, not just that it passed.
func checkGradient(_ name: String, _ p: UnsafeMutablePointer<Float>, count: Int, analytic: [Float],
                   eps: Float = 1e-2, tolerance: Double = 1e-2, maxCoordinates: Int = 60,
                   file: StaticString = #filePath, line: UInt = #line, _ f: () -> Double) {
    XCTAssertEqual(analytic.count, count, "\(name): gradient size", file: file, line: line)
    let stride = max(1, count / maxCoordinates)
    var diff = 0.0, na = 0.0, nn = 0.0
    var i = 0
    while i < count {
        let old = p[i]
        p[i] = old + eps; let a = f()
        p[i] = old - eps; let b = f()
        p[i] = old
        let num = (a - b) / (2 * Double(eps))
        let an = Double(analytic[i])
        diff += (an - num) * (an - num); na += an * an; nn += num * num
        i += stride
    }
    let scale = max(na.squareRoot(), nn.squareRoot())
    // A gradient that is zero in exact arithmetic (e.g. a bias added to every
    // logit of a softmax) leaves only rounding noise: judge it absolutely.
    let rel = scale < 1e-4 && diff.squareRoot() < 1e-4 ? 0 : diff.squareRoot() / scale
    print("gradient check \(name): relative error \(String(format: "%.2e", rel)) (norm \(String(format: "%.3e", scale)))")
    XCTAssertLessThan(rel, tolerance, "\(name): relative error \(rel)", file: file, line: line)
    XCTAssertGreaterThan(scale, 0, "\(name): gradient is identically zero, the check proves nothing", file: file, line: line)
}

/// A small batch with the masking cases: full, short, length-1 histories, an
/// item shared between examples (exercises the distinct-item path).
struct TinyProblem {
    var config: ModelConfig
    var model: MultiInterestModel
    var items: [Int32]
    var targets: [Int32]
    let B = 4

    init(encoder: EncoderKind = .re4, K: Int = 3, d: Int = 6, L: Int = 5, H: Int = 7, n: Int = 14, seed: UInt64 = 1,
         lambdas: (Float, Float, Float) = (0.5, 0.7, 0.9), embeddingScale: Float = 0.5) {
        config = ModelConfig()
        config.encoder = encoder; config.interests = K; config.dim = d; config.maxLength = L; config.hidden = H
        config.items = n
        (config.lambdaAtt, config.lambdaCt, config.lambdaCs) = lambdas
        config.tau = 0.5
        model = MultiInterestModel.initial(config: config, seed: seed)
        // Scale weights down so tanh is not saturated and the check is informative.
        var rng = SeededRandom(seed: seed, stream: "test-rescale")
        for (i, name) in model.params.names.enumerated() {
            let buf = model.params.buffers[i]
            let s: Float = name == MultiInterestModel.embeddingName ? embeddingScale : (name.hasPrefix("dr.") ? 0.3 : 0.4)
            for j in 0..<buf.count { buf[j] = buf[j] * s + Float(rng.normal()) * 0.01 }
        }
        (model.embedding).update(repeating: 0, count: d)
        let rows: [[Int32]] = [[3, 5, 2, 9, 11], [2, 7, 4], [6], [12, 2]]
        items = rows.flatMap { $0 + [Int32](repeating: 0, count: L - $0.count) }
        targets = [1, 8, 13, 10]
    }

    var scratch: [Int32] { [Int32](repeating: -1, count: config.items + 1) }

    func batch() -> HistoryBatch {
        var s = scratch
        return model.batch(items: items, B: B, targets: targets, scratch: &s)
    }
}
