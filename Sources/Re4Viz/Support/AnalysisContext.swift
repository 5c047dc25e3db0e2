import Re4Core

/// What every analysis job shares, passed to each job as one value: how many
/// threads its numeric work may use, the seed of everything random in it
/// (user samples, t-SNE initialisation, bootstrap resamples), and where its
/// progress lines go.
///
/// Threads have one default throughout the toolkit: all cores
/// (`Threads.available`), the same as every command's `--threads`
/// (docs/run-folder.md § Threads). Results repeat for a fixed count.
public struct AnalysisContext: Sendable {
    public var threads: Int
    public var seed: UInt64
    /// A line per stage (a command shows them with `--verbose` or always, as it chooses).
    public var progress: @Sendable (String) -> Void

    public init(threads: Int = Threads.available, seed: UInt64 = 42, progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.threads = threads; self.seed = seed; self.progress = progress
    }
}

/// One model in a figure or page: the model, the label its panel or map is
/// titled with, and the checkpoint it came from (whose run folder caches its
/// item map; nil for a model made in memory).
public struct Panel {
    public var model: MultiInterestModel
    public var label: String
    public var checkpoint: String?
    public init(model: MultiInterestModel, label: String, checkpoint: String? = nil) {
        self.model = model; self.label = label; self.checkpoint = checkpoint
    }
}

extension OpenedModels {
    /// Each opened model with its label and path, in the order given.
    public var panels: [Panel] { zip(models, inputs).map { Panel(model: $0, label: $1.label, checkpoint: $1.path) } }
}
