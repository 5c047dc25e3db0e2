import Foundation
import Re4Core

/// `re4-viz paired` (`make paired`): Re4 against Base over every seed both have,
/// paired by test user (`Comparison`), and the ablations against full Re4 —
/// from each run's best-epoch per-user file (an archived run keeps it), else by
/// evaluating the run's best checkpoint. Only finished runs count
/// (`Reproduction.discover`).
public enum PairedStudy {
    public struct Request: Sendable {
        public var runs: String
        /// Archived runs (`re4 archive`), used where `runs` has no run of the same name.
        public var archive: String?
        public var prefix: String
        /// The data, for runs evaluated here (their config names it otherwise).
        public var data = DataRequest()
        public var metrics: [String] = PairedStudy.defaultMetrics
        public var resamples = 10_000
        /// Where Re4 vs Base goes (Markdown).
        public var out: String
        /// Where the ablations vs Re4 go (nil: not drawn).
        public var ablationOut: String? = nil
        public init(runs: String, archive: String?, prefix: String, out: String) {
            self.runs = runs; self.archive = archive; self.prefix = prefix; self.out = out
        }
    }

    public static let defaultMetrics = ["recall@20", "recall@50", "ndcg@20", "ndcg@50", "hitrate@20", "hitrate@50"]

    /// The ablations, each against full Re4 (one flow switched off).
    public static let ablations: [(variant: String, label: String)] = [
        ("noct", "Re4 w/o Re-contrast"), ("noatt", "Re4 w/o Re-attend"), ("nocs", "Re4 w/o Re-construct")]

    public struct Written: Sendable {
        public var files: [String]
        /// Lines for the user: what was compared, what was skipped and why.
        public var lines: [String]
    }

    public static func run(_ r: Request, context c: AnalysisContext) throws -> Written {
        let runs = try Reproduction.discover(in: r.runs, archive: r.archive, prefix: r.prefix, log: c.progress)
        func run(_ v: String, _ s: Int) -> Reproduction.Run? { runs.first { $0.variant == v && $0.seed == s } }
        let scratch = NSTemporaryDirectory() + "re4-paired-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        // The data is read once, when the first run has to be evaluated; each checkpoint is checked against it.
        var data: (source: DataSource, dataset: Dataset)? = nil
        /// The run's per-user file: kept with the run, or evaluated from its best checkpoint into `scratch`.
        func perUser(_ run: Reproduction.Run) throws -> String? {
            if let f = run.bestPerUser { return f }
            guard run.hasCheckpoint else { return nil }
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            let (source, ds) = try data ?? RunData.openData(for: [run.checkpoint], request: r.data)
            data = (source, ds)
            let model = try RunData.load(run.checkpoint, dataset: ds, source: source, allowMismatch: false).0
            c.progress("evaluating \(URL(fileURLWithPath: run.folder).lastPathComponent) on \(ds.users(in: .test).count) test users")
            let csv = Evaluator.perUserCSV(model: model, dataset: ds, users: ds.users(in: .test),
                                           cutoffs: RankingMetrics.cutoffs, threads: c.threads)
            let path = scratch + "/\(run.variant)-s\(run.seed).csv"
            try AtomicFile.write(csv, to: path)
            return path
        }
        func files(_ v: String, seeds: [Int]) throws -> [String]? {
            var out: [String] = []
            for s in seeds { guard let run = run(v, s), let f = try perUser(run) else { return nil }; out.append(f) }
            return out
        }
        let outputs = try OutputSet(outputs: [r.out] + (r.ablationOut.map { [$0] } ?? []), inputs: [])
        var written = Written(files: [], lines: [])
        let seeds = Set(runs.filter { $0.variant == "base" }.map(\.seed)).intersection(runs.filter { $0.variant == "re4" }.map(\.seed)).sorted()
        let pairs = try seeds.compactMap { s -> (Int, String, String)? in
            guard let b = try files("base", seeds: [s]), let e = try files("re4", seeds: [s]) else { return nil }
            return (s, b[0], e[0])
        }
        guard !pairs.isEmpty else {
            throw VizError.badInput("no finished \(r.prefix)-base/\(r.prefix)-re4 seed pair with a per-user file or a checkpoint in \(r.runs)"
                                    + (r.archive.map { " or \($0)" } ?? "") + "; train them first (make reproduce)")
        }
        let main = try Comparison.run(a: pairs.map(\.1), bs: [pairs.map(\.2)], labels: ["Base", "Re4"], metrics: r.metrics,
                                          resamples: r.resamples, seed: c.seed, split: "test")
        try outputs.stage(r.out, data: Data(Comparison.format(main, as: .markdown).utf8))
        written.files.append(r.out)
        written.lines.append("Re4 against Base: seeds " + pairs.map { String($0.0) }.joined(separator: ","))
        if let ablationOut = r.ablationOut {
            // Every seed of full Re4 and of each ablation, from kept per-user files only (as archived).
            let all = Set(runs.filter { $0.variant == "re4" }.map(\.seed)).sorted()
            let kept = { (v: String) -> [String]? in
                let f = all.compactMap { s in run(v, s)?.bestPerUser }
                return f.count == all.count && !all.isEmpty ? f : nil
            }
            if let re4 = kept("re4"), case let abl = ablations.map({ kept($0.variant) }), !abl.contains(where: { $0 == nil }) {
                let res = try Comparison.run(a: re4, bs: abl.map { $0! }, labels: ["Re4"] + ablations.map(\.label), metrics: r.metrics,
                                                 resamples: r.resamples, seed: c.seed, split: "test")
                try outputs.stage(ablationOut, data: Data(Comparison.format(res, as: .markdown).utf8))
                written.files.append(ablationOut)
                written.lines.append("the ablations against Re4: seeds " + all.map(String.init).joined(separator: ","))
            } else {
                written.lines.append("the ablations against Re4 need a kept per-user file for every seed of re4, noct, noatt and nocs; skipped")
            }
        }
        try outputs.commit()
        return written
    }
}
