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
              re4-viz tsne runs/base/best.safetensors runs/re4/best.safetensors --data ml-1m --labels Base,Re4 --out fig4.png
              re4-viz distinct runs/base/best.safetensors runs/re4/best.safetensors --data ml-1m
              re4-viz curves runs/base/log.jsonl runs/re4/log.jsonl --labels Base,Re4 --out curves.png
              re4-viz tsne --points items.npy --out items-2d.npy --report
            """,
        subcommands: [TSNECommand.self, CurvesCommand.self, DistinctCommand.self, FiguresCommand.self, SweepCommand.self, ScatterCommand.self])

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
            // Help and version exit normally; every other parsing error is one line.
            if exitCode(for: error) == .success { exit(withError: error) }
            let first = message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
            fail(first.replacingOccurrences(of: "Error: ", with: "") + " (see --help)")
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
        abstract: "t-SNE of users' interests and their items (the paper's Figure 4), or of any matrix.",
        discussion: """
            With checkpoints: samples test users (seeded), takes each user's K interests and the items
            that correspond to them (--items attended: history items with attention > 1/length; or
            retrieved: each interest's top items), embeds interests and items jointly with the pure-Swift
            t-SNE (cosine), and draws ★ for interests and ● for items in the interest's colour. Two
            checkpoints (Base, Re4) give panels with the same users and selection rule.

            With --points: embeds a float32/float64 .npy (N × D) or numeric CSV; writes N × 2 (.npy or CSV).

            Examples:
              re4-viz tsne runs/base/best.safetensors runs/re4/best.safetensors --data ml-1m \\
                  --labels Base,Re4 --users 6 --out fig4.png --coords-out fig4.csv
              re4-viz tsne --points X.npy --out Y.npy --report
              re4-viz tsne --points X.csv --out Y.csv --method bh --metric cosine --seed 1
            """)
    @Argument(help: "Checkpoints (one panel each), e.g. Base then Re4.") var checkpoints: [String] = []
    @Option(help: "Embed this matrix (.npy or .csv) instead of checkpoints.") var points: String?
    @Option(help: "Output: a figure (.png/.svg/.pdf) for checkpoints, an embedding (.npy/.csv) for --points.") var out: String
    @OptionGroup var data: VizDataOptions
    @Option(help: "Number of sampled test users.") var users: Int = 6
    @Option(help: "Comma-separated user ids instead of a sample.") var userIds: String?
    @Option(help: "Items per interest: attended or retrieved.") var items: String = "attended"
    @Option(help: "With --items retrieved: items per interest.") var top: Int = 10
    @Option(help: "Interest space: u (used for matching) or z (raw).") var space: String = "u"
    @Option(help: "panels (one per user and checkpoint) or family (one per checkpoint, a hue family per user).") var layout: String = "panels"
    @Option(help: "Panel titles, comma-separated (default: the checkpoints' folder names).") var labels: String?
    @Option(help: "users (Figure 4) or items (the whole gallery by genre, interests overlaid).") var map: String = "users"
    @Option(help: "With --map items: embed a seeded sample of this many items.") var gallerySample: Int?
    @Option(help: "Write every plotted point to this CSV.") var coordsOut: String?
    @Option(help: "Figure title.") var title: String?
    @Option(help: "Resolution of PNG output.") var dpi: Double = 100
    @Option(help: "Perplexity.") var perplexity: Double = 30
    @Option(help: "Repulsion: auto, bh, fft or exact.") var method: String = "auto"
    @Option(help: "Barnes–Hut accuracy θ (0 = exact sums).") var theta: Double = 0.5
    @Option(help: "Barnes–Hut cell size compared with θ·distance: diagonal, or side (openTSNE's test).") var bhCell: String = "diagonal"
    @Option(help: "Iterations after early exaggeration.") var iterations: Int = 500
    @Option(help: "Early-exaggeration iterations.") var earlyIterations: Int = 250
    @Option(help: "euclidean or cosine (default: cosine for checkpoints, euclidean for --points).") var metric: String?
    @Option(help: "Initialisation: pca or random.") var initialization: String = "pca"
    @Option(help: "Seed.") var seed: UInt64 = 42
    @Option(help: "Threads.") var threads: Int = 2
    @Flag(help: "Print exact KL, kNN preservation (k = 10) and trustworthiness T(10).") var report = false
    @Flag(help: "Print progress every 50 iterations on stderr.") var verbose = false

    func run() throws {
        var o = TSNEOptions()
        guard let m = GradientMethod(rawValue: method) else { throw VizError.badInput("--method must be auto, bh, fft or exact, got '\(method)'") }
        let metricName = metric ?? (points == nil ? "cosine" : "euclidean")
        guard let me = TSNEMetric(rawValue: metricName) else { throw VizError.badInput("--metric must be euclidean or cosine, got '\(metricName)'") }
        guard let ini = TSNEOptions.Initialization(rawValue: initialization) else { throw VizError.badInput("--initialization must be pca or random") }
        guard threads >= 1 else { throw VizError.badInput("--threads must be ≥ 1") }
        guard let cell = TSNEOptions.BHCell(rawValue: bhCell) else { throw VizError.badInput("--bh-cell must be diagonal or side, got '\(bhCell)'") }
        o.theta = theta; o.bhCell = cell
        o.method = m; o.metric = me; o.initialization = ini; o.perplexity = perplexity
        o.iterations = iterations; o.earlyIterations = earlyIterations; o.seed = seed; o.threads = threads
        let outDir = URL(fileURLWithPath: out).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: outDir) else {
            throw IOError.missingFolder(path: out, folder: outDir)
        }
        guard let points else { return try embedCheckpoints(o) }
        guard checkpoints.isEmpty else { throw VizError.badInput("give either checkpoints or --points, not both") }
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

    func embedCheckpoints(_ base: TSNEOptions) throws {
        guard !checkpoints.isEmpty else { throw VizError.badInput("give one or two checkpoints, or --points MATRIX") }
        let o = base
        guard let lay = InterestProjection.Layout(rawValue: layout) else { throw VizError.badInput("--layout must be panels or family") }
        guard let sp = UserInterests.Space(rawValue: space) else { throw VizError.badInput("--space must be u or z") }
        let selection: InterestProjection.Selection
        switch items {
        case "attended": selection = .attended
        case "retrieved": guard top >= 1 else { throw VizError.badInput("--top must be ≥ 1") }; selection = .retrieved(top)
        default: throw VizError.badInput("--items must be attended or retrieved, got '\(items)'")
        }
        let ds = try data.load()
        let models = try checkpoints.map { try loadCheckpoint($0, for: ds, allowMismatch: data.allowMismatch) }
        let titles = try panelTitles()
        let chosen: [Int]
        if let ids = userIds {
            let wanted = ids.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            chosen = try wanted.map { w in
                guard let i = ds.userIDs.firstIndex(of: w) else { throw VizError.badInput("user '\(w)' is not in \(ds.name)") }
                return i
            }
        } else {
            guard users >= 1 else { throw VizError.badInput("--users must be ≥ 1") }
            chosen = sampleUsers(ds, count: users, seed: seed)
        }
        guard !chosen.isEmpty else { throw VizError.badInput("no test user has a long enough history to sample") }
        var pts: [InterestProjection.Point] = []
        if map == "items" {
            for (p, m) in models.enumerated() {
                pts += try InterestProjection.projectGallery(model: m, dataset: ds, users: chosen, space: sp, sample: gallerySample,
                                                             seed: seed, panel: p, options: o)
            }
            try InterestProjection.galleryFigure(points: pts, panelTitles: titles, dataset: ds, title: title, dpi: dpi).save(out)
            if let c = coordsOut { try AtomicFile.write(InterestProjection.coordinatesCSV(pts, panelTitles: titles, dataset: ds), to: c) }
            print("wrote \(out): \(models.count) panel\(models.count == 1 ? "" : "s"), \(pts.filter { !$0.isInterest }.count / models.count) items, \(chosen.count) users' interests")
            return
        }
        guard map == "users" else { throw VizError.badInput("--map must be users or items, got '\(map)'") }
        for (p, m) in models.enumerated() {
            pts += try InterestProjection.project(model: m, dataset: ds, users: chosen, space: sp, selection: selection, panel: p, options: o)
        }
        let K = models.map(\.config.interests).max() ?? 4
        let fig = InterestProjection.figure(points: pts, panelTitles: titles, users: chosen.count, K: K, layout: lay,
                                            caption: selection.caption + ", interests " + (sp == .u ? "U" : "Z"), title: title, dpi: dpi)
        try fig.save(out)
        if let c = coordsOut { try AtomicFile.write(InterestProjection.coordinatesCSV(pts, panelTitles: titles, dataset: ds), to: c) }
        print("wrote \(out): \(models.count) panel\(models.count == 1 ? "" : "s"), \(chosen.count) users, \(pts.filter(\.isInterest).count) interests, \(pts.filter { !$0.isInterest }.count) items")
    }

    func panelTitles() throws -> [String] {
        if let labels {
            let l = labels.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            guard l.count == checkpoints.count else { throw VizError.badInput("--labels has \(l.count) names for \(checkpoints.count) checkpoints") }
            return l
        }
        return checkpoints.map { URL(fileURLWithPath: $0).deletingLastPathComponent().lastPathComponent }
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

/// Data options for the analysis commands (the same split as `re4`).
struct VizDataOptions: ParsableArguments {
    @Option(help: "Data set name or path (as for `re4`).") var data: String?
    @Option(help: "Seed of the 80/10/10 user split (must match training).") var splitSeed: UInt64 = 2022
    @Option(help: "Iterated k-core filter used in training.") var kCore: Int = 0
    @Flag(help: "Use checkpoints trained on other data (fingerprint mismatch).") var allowMismatch = false

    func load() throws -> Dataset {
        guard let data else { throw VizError.badInput("give --data (the data set the checkpoints were trained on)") }
        var o = DatasetOptions()
        o.seed = splitSeed; o.kCore = kCore
        return try DataCatalog.load(data, options: o)
    }
}

struct DistinctCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distinct",
        abstract: "How distinct are the interests? Statistics per checkpoint with 95% bootstrap intervals.",
        discussion: """
            Over the test users (or a seeded sample): pairwise cosine of interests (U and Z), attention
            entropy and top share, Re4 positives, retrieved-list overlap, interest usage on held-out
            items, item coherence, and genre purity/diversity where the data has genres. With two or
            more checkpoints, differences against the first and whether the intervals overlap.

            Examples:
              re4-viz distinct runs/base/best.safetensors runs/re4/best.safetensors --data ml-1m
              re4-viz distinct runs/re4/best.safetensors --data ml-1m --format markdown --users 300
            """)
    @Argument(help: "Checkpoints.") var checkpoints: [String]
    @OptionGroup var data: VizDataOptions
    @Option(help: "Sample this many test users (default: all).") var users: Int?
    @Option(help: "Seed for the user sample and the bootstrap.") var seed: UInt64 = 42
    @Option(help: "table, json, csv or markdown.") var format: String = "table"
    @Option(help: "Write the output to this file as well.") var out: String?

    func run() throws {
        guard !checkpoints.isEmpty else { throw VizError.badInput("give at least one checkpoint") }
        guard ["table", "json", "csv", "markdown"].contains(format) else { throw VizError.badInput("--format must be table, json, csv or markdown") }
        let ds = try data.load()
        let models = try checkpoints.map { try loadCheckpoint($0, for: ds, allowMismatch: data.allowMismatch) }
        var chosen = ds.users(in: .test)
        if let n = users { guard n >= 2 else { throw VizError.badInput("--users must be ≥ 2") }; chosen = sampleUsers(ds, count: n, seed: seed, minLength: 1) }
        let reports = zip(checkpoints, models).map { Distinctness.report(checkpoint: $0, model: $1, dataset: ds, users: chosen, seed: seed) }
        let text = Distinctness.format(reports, as: format)
        print(text)
        if let out { try AtomicFile.write(text + "\n", to: out) }
    }
}
