import Foundation

/// The ranges of every training option, checked in one place before anything
/// is allocated. The command lines call these from their `validate()`, and
/// `Trainer` calls them again with the data, so the library refuses what the
/// command line would. A refusal names the option, the value, the limit and why.
public enum Limits {
    /// Largest embedding width, attention width and history length accepted: far
    /// above any published setting (d = 64, H = 256, L = 20–50), low enough that
    /// a typo cannot ask for terabytes.
    public static let maxDim = 4096, maxHidden = 8192, maxLength = 1024
    public static let maxInterests = 256
    public static let maxBatch = 1 << 16
    public static let maxEpochs = EpochRecord.largestEpoch

    /// Memory the model's parameters, Adam's two moments and one step's
    /// gradients may take: half of this machine's memory.
    public static var memoryBudget: UInt64 { ProcessInfo.processInfo.physicalMemory / 2 }

    static func refuse(_ option: String, _ value: Any, _ why: String) -> TrainingError {
        .badOption("\(option) \(value) is out of range: \(why)")
    }

    /// Shapes and weights of a model, without the data.
    public static func check(_ c: ModelConfig) throws {
        if c.encoder.isPort {
            throw TrainingError.badOption("--encoder \(c.encoder.rawValue) is the PyTorch ComiRec port's model, read for evaluation and analysis only; train with \(EncoderKind.trainable.map(\.rawValue).joined(separator: ", "))")
        }
        for (opt, v, hi) in [("--interests", c.interests, maxInterests), ("--dim", c.dim, maxDim),
                             ("--max-length", c.maxLength, maxLength), ("--hidden", c.hidden, maxHidden)] where !(1...hi).contains(v) {
            throw refuse(opt, v, "it must be between 1 and \(hi)")
        }
        for (opt, v) in [("--lambda-att", c.lambdaAtt), ("--lambda-ct", c.lambdaCt), ("--lambda-cs", c.lambdaCs)] where !(v >= 0 && v.isFinite) {
            throw refuse(opt, v, "a flow's weight must be a finite number ≥ 0")
        }
        guard c.tau > 0, c.tau.isFinite else { throw refuse("--tau", c.tau, "the temperature must be a finite number > 0") }
        if let r = c.rlambda, !(r >= 0 && r.isFinite) { throw refuse("--rlambda", r, "REMI's regularisation weight must be a finite number ≥ 0") }
        if let r = c.rbeta, !(r >= 0 && r <= 100) { throw refuse("--rbeta", r, "REMI's β must be a number from 0 to 100") }
    }

    /// The optimisation and schedule, without the data.
    public static func check(_ o: TrainingOptions) throws {
        guard (1...maxEpochs).contains(o.epochs) else { throw refuse("--epochs", o.epochs, "it must be between 1 and \(maxEpochs)") }
        guard (1...maxBatch).contains(o.batchSize) else { throw refuse("--batch-size", o.batchSize, "it must be between 1 and \(maxBatch)") }
        guard o.learningRate > 0, o.learningRate.isFinite else { throw refuse("--lr", o.learningRate, "the learning rate must be a finite number > 0") }
        guard o.weightDecay >= 0, o.weightDecay.isFinite else { throw refuse("--weight-decay", o.weightDecay, "it must be a finite number ≥ 0") }
        if let e = o.embeddingStd, !(e > 0 && e <= 10) { throw refuse("--embedding-std", e, "it must be a number in (0, 10]") }
        if let c = o.samplesPerEpoch, c < 1 { throw refuse("--samples-per-epoch", c, "it must be ≥ 1") }
        if let p = o.patience, p < 1 { throw refuse("--patience", p, "it must be ≥ 1") }
        guard (1...Threads.maximum).contains(o.threads) else { throw refuse("--threads", o.threads, "it must be between 1 and \(Threads.maximum)") }
        switch o.negatives {
        case .uniform(let n), .logUniform(let n): if n < 1 { throw refuse("--negatives", n, "it must be ≥ 1 or 'full'") }
        case .full: break
        }
    }

    /// The settings against the data and the machine: interests and negatives
    /// against the item count, the parameters' memory against the budget.
    public static func check(_ c: ModelConfig, _ o: TrainingOptions, items n: Int, negativesGiven: Bool) throws {
        try check(c); try check(o)
        var uniform = false
        if case .uniform = o.negatives { uniform = true }
        if let b = c.rbeta, b != 0, !uniform {
            throw TrainingError.badOption("--rbeta \(b) reweights sampled negatives and needs the uniform sampler (REMI's default); drop --negatives full / --sampler log-uniform or --rbeta")
        }
        guard c.interests <= max(1, n) else {
            throw refuse("--interests", c.interests, "the data has only \(n) items, and more interests than items cannot be distinct")
        }
        if negativesGiven, case .uniform(let k) = o.negatives, k > n - 1 {
            throw refuse("--negatives", k, "the data has only \(n) items, so at most \(n - 1) negatives per batch (or 'full')")
        }
        let bytes = parameterBytes(c, items: n) * 4   // parameters, two moments, gradients
        guard bytes <= memoryBudget else {
            throw TrainingError.badOption(String(format: "--dim %d with %d items, K = %d, L = %d needs about %.1f GB for parameters, Adam's moments and gradients; this machine allows %.1f GB (half its memory): lower --dim or --max-length",
                                                 c.dim, n, c.interests, c.maxLength, Double(bytes) / 1e9, Double(memoryBudget) / 1e9))
        }
    }

    /// Bytes of one copy of the parameters (float32), computed without allocating.
    public static func parameterBytes(_ c: ModelConfig, items n: Int) -> UInt64 {
        let d = UInt64(c.dim), L = UInt64(c.maxLength), K = UInt64(c.interests), H = UInt64(c.hidden)
        var count = (UInt64(n) + 1) * d
        switch c.encoder {
        case .re4: count += H * d + K * H + d * d + d * d + d
        case .comirecSA: count += L * d + d * 4 * d + 4 * d + 4 * d * K + K
        case .comirecDR, .portComiRecDR: count += L * K * d * d + (c.encoder.isPort ? d * d : 0)
        case .portComiRecSA: count += L * d + d * 4 * d + 4 * d * K
        case .portMIND: count += 2 * d * d
        }
        if c.hasFlowParameters { count += d * d + L * d + d * d + d * L * d + d * L }
        return count * 4
    }
}
