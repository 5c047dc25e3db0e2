import Foundation

/// How training examples are drawn.
public enum ExampleSampling: String, Codable, Sendable, CaseIterable {
    /// Every (training user, position) prefix once per epoch, in a seeded
    /// shuffled order (docs/model.md, "Training examples").
    case epoch
    /// ComiRec's scheme: each step draws random (user, cut) pairs with replacement.
    case comirec
}

/// The trainer's settings besides the model's: the optimisation (which alters
/// the math and is fixed for a run) and the schedule (which may change on
/// `--resume`: epochs, patience, threads, per-epoch checkpoints).
public struct TrainingOptions: Sendable {
    public var epochs = 20
    public var batchSize = 1024
    public var learningRate: Float = 0.003
    public var weightDecay: Float = 1e-6
    public var seed: UInt64 = 2022
    public var negatives: SampledSoftmax.Mode = .uniform(count: SampledSoftmax.defaultNegatives)
    /// Whether the count was asked for: the default is cut to the items there
    /// are, an explicit count above them is refused.
    public var negativesGiven = false
    /// Cap on training examples per epoch (nil = all of them).
    public var samplesPerEpoch: Int? = nil
    /// Stop after this many epochs without a better validation score (nil = never).
    public var patience: Int? = nil
    /// Also keep `epoch-NNN.safetensors` for every epoch.
    public var keepEveryEpoch = false
    /// Write every valid and test user's metrics after each epoch (`RunFolder.perUserLog`).
    public var perUserLog = false
    public var lazyAdam = false
    /// After each epoch, log the interest-collapse statistics (`EpochDistinctness`)
    /// on a fixed sample of validation users. Changes no parameter.
    public var logDistinctness = false
    /// Standard deviation of the item embedding's normal initialisation (nil: 1, the authors' script).
    public var embeddingStd: Float? = nil
    public var sampling: ExampleSampling = .epoch
    /// Threads for the numeric code (results are repeatable for a fixed count).
    public var threads = 1
    public init() {}

    /// The settings of these options that alter the math, as recorded in `config.json`.
    public var settings: RunConfig.TrainingSettings {
        var t = RunConfig.TrainingSettings()
        t.negatives = .init(negatives); t.learningRate = learningRate; t.weightDecay = weightDecay
        t.batchSize = batchSize; t.sampling = sampling; t.seed = seed; t.samplesPerEpoch = samplesPerEpoch
        t.lazyAdam = lazyAdam; t.embeddingStd = embeddingStd
        return t
    }
}
