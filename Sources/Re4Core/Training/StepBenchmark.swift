import Foundation

/// Times training steps on real batches, per objective, so each backward
/// flow's cost can be read off as a difference; and measures the machine's
/// sgemm rate for comparison.
public enum StepBenchmark {
    public struct Result: Sendable {
        public var name: String
        public var secondsPerStep: Double
        public var examplesPerSecond: Double
    }

    /// The objectives timed: the name `--variants` takes, the name printed, and
    /// which flows are on (Re-attend, Re-contrast, Re-construct) at the model's λ.
    static let objectives: [(name: String, display: String, att: Bool, ct: Bool, cs: Bool)] = [
        ("base", "base", false, false, false), ("base+att", "base+att", true, false, false),
        ("base+ct", "base+ct", false, true, false), ("base+cs", "base+cs", false, false, true),
        ("re4", "re4 (all flows)", true, true, true),
    ]
    /// The names `--variants` takes.
    public static let variantNames = objectives.map(\.name)

    /// - Parameters: steps to time after `warmup` untimed steps; `only`: a subset of
    ///   `variantNames` to time (all when nil), for profiling one objective alone.
    public static func run(dataset: Dataset, base: ModelConfig, batchSize: Int, negatives: SampledSoftmax.Mode,
                           steps: Int, warmup: Int = 3, seed: UInt64 = 1, threads: Int, only: Set<String>? = nil) -> [Result] {
        Threads.run(threads) { runBound(dataset: dataset, base: base, batchSize: batchSize, negatives: negatives,
                                        steps: steps, warmup: warmup, seed: seed, only: only) }
    }

    static func runBound(dataset: Dataset, base: ModelConfig, batchSize: Int, negatives: SampledSoftmax.Mode,
                         steps: Int, warmup: Int, seed: UInt64, only: Set<String>? = nil) -> [Result] {
        var cfg = base
        cfg.items = dataset.itemCount
        let variants = objectives.filter { only?.contains($0.name) ?? true }.map {
            ($0.display, $0.att ? cfg.lambdaAtt : 0, $0.ct ? cfg.lambdaCt : 0, $0.cs ? cfg.lambdaCs : 0)
        }
        var examples = dataset.trainingExamples()
        var rng = SeededRandom(seed: seed, stream: "bench")
        rng.shuffle(&examples)
        let L = cfg.maxLength
        var out: [Result] = []
        for (name, a, c, s) in variants {
            var vc = cfg
            vc.lambdaAtt = a; vc.lambdaCt = c; vc.lambdaCs = s
            let model = MultiInterestModel.initial(config: vc, seed: seed)
            var adam = Adam(for: model.params)
            var grads = model.params.zeros()
            var scratch = [Int32](repeating: -1, count: dataset.itemCount + 1)
            let softmax = SampledSoftmax(mode: negatives)
            var brng = SeededRandom(seed: seed, stream: "bench-neg")
            var elapsed = 0.0
            for step in 0..<(warmup + steps) {
                let lo = (step * batchSize) % max(1, examples.count - batchSize)
                var items = [Int32](repeating: 0, count: batchSize * L)
                var targets = [Int32](repeating: 0, count: batchSize)
                items.withUnsafeMutableBufferPointer { p in
                    for i in 0..<batchSize {
                        let ex = examples[(lo + i) % examples.count]
                        _ = dataset.history(user: Int(ex.user), cut: Int(ex.position), length: L, into: p.baseAddress! + i * L)
                        targets[i] = dataset.sequences[Int(ex.user)][Int(ex.position)]
                    }
                }
                let t0 = DispatchTime.now().uptimeNanoseconds
                let batch = model.batch(items: items, B: batchSize, targets: targets, scratch: &scratch)
                let cand = softmax.candidates(targets: targets, items: dataset.itemCount, rng: &brng)
                _ = model.lossAndGradients(batch, candidates: cand, softmax: softmax, grads: &grads)
                adam.update(model.params, grads, embedding: MultiInterestModel.embeddingName, touchedRows: [])
                grads.zeroAll()
                let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                if step >= warmup { elapsed += dt }
            }
            let per = elapsed / Double(steps)
            out.append(Result(name: name, secondsPerStep: per, examplesPerSecond: Double(batchSize) / per))
        }
        return out
    }

    /// sgemm GFLOP/s for an m×k by k×n product (best of `repeats`).
    public static func sgemmRate(m: Int, n: Int, k: Int, repeats: Int = 5, threads: Int) -> Double {
        Threads.run(threads) { sgemmRateBound(m: m, n: n, k: k, repeats: repeats) }
    }

    static func sgemmRateBound(m: Int, n: Int, k: Int, repeats: Int) -> Double {
        let a = FloatBuffer(m * k), b = FloatBuffer(k * n), c = FloatBuffer(m * n)
        for i in 0..<(m * k) { a[i] = Float(i % 7) * 0.1 }
        for i in 0..<(k * n) { b[i] = Float(i % 5) * 0.1 }
        var best = Double.infinity
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            sgemm(false, true, m: m, n: n, k: k, a.p, lda: k, b.p, ldb: k, c.p, ldc: n)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return 2 * Double(m) * Double(n) * Double(k) / best / 1e9
    }
}

extension StepBenchmark {
    /// Timing of full-gallery top-50 retrieval on an `re4 export` folder.
    public struct RetrievalTiming: Sendable {
        public var users: Int, interests: Int, items: Int
        /// Best wall time over the repeats.
        public var seconds: Double
        /// Sum of every user's first item, to compare implementations.
        public var checksum: Int64
    }

    /// Times `Retrieval.topN` (N = 50) on `items.npy` and `interests.npy` of `folder`.
    public static func retrieval(folder: String, repeats: Int, threads: Int) throws -> RetrievalTiming {
        let E = try Npy.read(path: folder + "/items.npy"), U = try Npy.read(path: folder + "/interests.npy")
        guard E.shape.count == 2, U.shape.count == 3, U.shape[2] == E.shape[1] else {
            throw TrainingError.badOption("\(folder): items.npy must be (n+1)×d and interests.npy users×K×d")
        }
        var t = RetrievalTiming(users: U.shape[0], interests: U.shape[1], items: E.shape[0] - 1, seconds: .infinity, checksum: 0)
        Threads.run(threads) {
            for _ in 0..<max(1, repeats) {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let tops = U.values.withUnsafeBufferPointer { u in E.values.withUnsafeBufferPointer { e in
                    Retrieval.topN(U: u.baseAddress!, users: t.users, K: t.interests, d: U.shape[2], E: e.baseAddress!, items: t.items, N: 50) } }
                t.seconds = min(t.seconds, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                t.checksum = tops.reduce(0) { $0 + Int64($1.first ?? 0) }
            }
        }
        return t
    }
}
