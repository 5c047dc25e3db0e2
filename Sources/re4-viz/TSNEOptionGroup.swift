import ArgumentParser
import Re4CLI
import Re4Viz
import TSNE

/// The t-SNE's options, validated once for every command that runs it.
struct TSNEOptionGroup: ParsableArguments {
    @Option(help: "Perplexity.") var perplexity: Double = 30
    @Option(help: "Several perplexities at once, comma-separated (multiscale, e.g. 30,300); replaces --perplexity.") var perplexities: String?
    @Option(help: "Input neighbours: auto (approximate from 100,000 points), exact or approximate.") var neighbors: TSNEOptions.NeighborSearch = .auto
    @Option(help: "Exaggeration after the early phase (1 = none; above 1 tightens clusters).") var exaggeration: Double = 1
    @Option(help: "Degrees of freedom of the kernel (1 = t-SNE's; below 1 heavier tails, finer clusters).") var dof: Double = 1
    @Option(help: "Repulsion: auto, bh, fft or exact.") var method: GradientMethod = .auto
    @Option(help: "Barnes–Hut accuracy θ (0 = exact sums).") var theta: Double = 0.5
    @Option(help: "Barnes–Hut cell size compared with θ·distance: diagonal, or side (openTSNE's test).") var bhCell: TSNEOptions.BHCell = .diagonal
    @Option(help: "Iterations after early exaggeration.") var iterations: Int = 500
    @Option(help: "Early-exaggeration iterations.") var earlyIterations: Int = 250
    @Option(help: "euclidean or cosine (default: cosine for checkpoints, euclidean for --points).") var metric: TSNEMetric?
    @Option(help: "Initialisation: pca or random.") var initialization: TSNEOptions.Initialization = .pca
    @Option(help: "Seed (user sample and t-SNE).") var seed: UInt64 = 42
    @Option(help: "Memory order of the optimisation: auto (tree order from 100,000 points), tree or input. Changes only rounding.")
    var memoryOrder: MemoryOrder = .auto
    enum MemoryOrder: String, ExpressibleByArgument, CaseIterable { case auto, tree, input }
    @OptionGroup var threads: ThreadsOption

    func validate() throws {
        if let p = perplexities, parsedPerplexities == nil {
            throw ValidationError("--perplexities must be numbers separated by commas, got '\(p)'")
        }
        try validating { try options.check() }
    }

    /// The settings with the command's own metric default (cosine for models, euclidean for points).
    func options(defaultMetric: TSNEMetric) -> TSNEOptions {
        var o = options; o.metric = metric ?? defaultMetric
        return o
    }

    /// Threads and seed for the job; progress lines to stderr when `verbose`.
    func context(verbose: Bool = false) -> AnalysisContext {
        AnalysisContext(threads: threads.count, seed: seed, progress: { if verbose { printError($0) } })
    }

    var parsedPerplexities: [Double]? {
        guard let p = perplexities else { return nil }
        let v = p.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        return v.contains(nil) || v.isEmpty ? nil : v.map { $0! }
    }

    /// The t-SNE's settings (threads and seed are the job's: `context`).
    var options: TSNEOptions {
        var o = TSNEOptions()
        o.perplexity = perplexity; o.method = method; o.theta = theta; o.bhCell = bhCell
        o.iterations = iterations; o.earlyIterations = earlyIterations; o.initialization = initialization
        o.exaggeration = exaggeration; o.dof = dof; o.neighbors = neighbors
        o.localityOrder = memoryOrder == .auto ? nil : memoryOrder == .tree
        if perplexities != nil { o.perplexities = parsedPerplexities ?? [] }
        if let metric { o.metric = metric }
        return o
    }
}
