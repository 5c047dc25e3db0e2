import ArgumentParser
import Foundation
import Re4Core
import Re4Viz
import TSNE
import Plot

@main
struct Re4VizCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "re4-viz",
        abstract: "Look inside multi-interest models: t-SNE of interests, epoch curves, distinctness.",
        discussion: """
            Examples:
              re4-viz tsne --points items.npy --out items-2d.npy --report
            """,
        subcommands: [TSNECommand.self, CurvesCommand.self])

    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let e as TSNEError {
            fail("\(e)")
        } catch let e as DataError { fail(e.localizedDescription)
        } catch let e as IOError { fail(e.localizedDescription)
        } catch let e as NpyError { fail(e.localizedDescription)
        } catch let e as VizError { fail(e.localizedDescription)
        } catch let e as SafeTensorsError { fail(e.localizedDescription)
        } catch let e as CheckpointError { fail(e.localizedDescription)
        } catch let e as PlotError { fail(e.localizedDescription)
        } catch let e as LogError { fail(e.localizedDescription)
        } catch {
            exit(withError: error)
        }
    }

    static func fail(_ m: String) -> Never {
        FileHandle.standardError.write(Data("error: \(m)\n".utf8))
        Foundation.exit(1)
    }
}

struct TSNECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tsne",
        abstract: "Embed a matrix in 2-D with the pure-Swift t-SNE (openTSNE's defaults).",
        discussion: """
            --points takes float32/float64 .npy (N × D) or a numeric CSV (header optional).
            The output is N × 2: .npy (float32) or CSV x,y. Embedding checkpoints' interests
            (re4-viz tsne CHECKPOINT…) arrives with its own issue.

            Examples:
              re4-viz tsne --points X.npy --out Y.npy --report
              re4-viz tsne --points X.csv --out Y.csv --method bh --metric cosine --seed 1
            """)
    @Option(help: "Input matrix (.npy or .csv).") var points: String
    @Option(help: "Output embedding (.npy or .csv).") var out: String
    @Option(help: "Perplexity.") var perplexity: Double = 30
    @Option(help: "Repulsion: auto, bh, fft or exact.") var method: String = "auto"
    @Option(help: "Iterations after early exaggeration.") var iterations: Int = 500
    @Option(help: "Early-exaggeration iterations.") var earlyIterations: Int = 250
    @Option(help: "euclidean or cosine.") var metric: String = "euclidean"
    @Option(help: "Initialisation: pca or random.") var initialization: String = "pca"
    @Option(help: "Seed.") var seed: UInt64 = 42
    @Option(help: "Threads.") var threads: Int = 2
    @Flag(help: "Print exact KL, kNN preservation (k = 10) and trustworthiness T(10).") var report = false
    @Flag(help: "Print progress every 50 iterations on stderr.") var verbose = false

    func run() throws {
        var o = TSNEOptions()
        guard let m = GradientMethod(rawValue: method) else { throw VizError.badInput("--method must be auto, bh, fft or exact, got '\(method)'") }
        guard let me = TSNEMetric(rawValue: metric) else { throw VizError.badInput("--metric must be euclidean or cosine, got '\(metric)'") }
        guard let ini = TSNEOptions.Initialization(rawValue: initialization) else { throw VizError.badInput("--initialization must be pca or random") }
        guard threads >= 1 else { throw VizError.badInput("--threads must be ≥ 1") }
        o.method = m; o.metric = me; o.initialization = ini; o.perplexity = perplexity
        o.iterations = iterations; o.earlyIterations = earlyIterations; o.seed = seed; o.threads = threads
        let outDir = URL(fileURLWithPath: out).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: outDir) else {
            throw IOError.missingFolder(path: out, folder: outDir)
        }
        let x = try PointMatrix.read(path: points)
        let r = try TSNE.embed(x.values, n: x.n, dim: x.dim, options: o) { p in
            if verbose {
                FileHandle.standardError.write(Data(String(format: "iteration %4d  %@  KL %.4f  %.1fs\n", p.iteration, p.phase, p.kl, p.seconds).utf8))
            }
        }
        try PointMatrix.writeEmbedding(r.embedding, n: x.n, path: out)
        print(String(format: "embedded %d × %d with %@ in %.1fs (affinities %.1fs, early exaggeration %.1fs, main %.1fs); KL estimate %.4f",
                     x.n, x.dim, r.method.rawValue, r.seconds.affinities + r.seconds.early + r.seconds.main,
                     r.seconds.affinities, r.seconds.early, r.seconds.main, r.history.last?.kl ?? .nan))
        if report {
            let data = me == .cosine ? normalized(x) : x.values
            let kl = TSNEQuality.exactKL(r.affinities, embedding: r.embedding)
            let knn = TSNEQuality.knnPreservation(input: data, n: x.n, dim: x.dim, embedding: r.embedding)
            let tw = TSNEQuality.trustworthiness(input: data, n: x.n, dim: x.dim, embedding: r.embedding)
            print(String(format: "exact KL %.4f  kNN10 kept %.4f  T(10) %.4f", kl, knn, tw))
        }
    }

    func normalized(_ x: PointMatrix) -> [Float] {
        var v = x.values
        for i in 0..<x.n {
            var s: Float = 0
            for j in 0..<x.dim { s += v[i * x.dim + j] * v[i * x.dim + j] }
            let r = s > 0 ? 1 / s.squareRoot() : 0
            for j in 0..<x.dim { v[i * x.dim + j] *= r }
        }
        return v
    }
}
