import Foundation
import Re4Core
import TSNE

/// Which picture of Figure 4 shows the interests that are there (issue: the
/// planted-interests study; docs/planted-study.md). For every
/// Base and Re4 run of a grid, for each layout (`panels`, `family`, `map`)
/// and interest space (U, Z), the `Recovery.viewScore` of the picture drawn
/// for the same sampled test users: the share of stars whose ten nearest
/// items in the picture are mostly of the category their interest stands for.
/// On planted data that category is the planted one the interest is matched
/// to (Hungarian matching on attended categories); without a truth (ML-1M) it
/// is the dominant genre of the interest's attention, so the score says
/// whether the picture puts an interest among the items it attends to.
/// Also each run's recovery of the planted interests (all test users).
public enum ViewStudy {
    public struct Request: Sendable {
        public var runs: String
        public var prefix: String
        /// Sampled test users per picture.
        public var users = 20
        /// The t-SNE and placement settings (each view sets its own space and placement rule).
        public var map = MapSettings()
        public var layouts: [InterestProjection.Layout] = [.panels, .family, .map]
        /// How interests are placed on the map: each is its own view (`map`, `map-retrieval`).
        public var placements: [InterestProjection.PlaceBy] = [.embedding, .retrieval]
        public var spaces: [UserInterests.Space] = [.u, .z]
        /// The data, for runs whose config does not record it (or to override reading options).
        public var data = DataRequest()
        public init(runs: String, prefix: String) { self.runs = runs; self.prefix = prefix }
    }

    public struct Score: Sendable, Equatable {
        public var variant: String, seed: Int, layout: String, space: String
        /// Against the truth: stars among their matched planted category (on data without truth, as `model`).
        public var value: Double?
        /// Against the model: stars among the category their own attention puts most mass on.
        public var model: Double? = nil
    }

    public struct Result: Sendable {
        /// The table's columns in order: variant key and its label (Base and Re4 for
        /// a grid; each given model's label otherwise).
        public var columns: [(key: String, label: String)] = [("base", "Base"), ("re4", "Re4")]
        public var scores: [Score]
        /// Per run (variant, seed): recovery statistics over all test users (planted data only).
        public var recovery: [(variant: String, seed: Int, values: [String: Double])]
        public var truth: Bool
        public var dataName: String
        public var users: Int
    }

    public static let recoveryKeys = ["recovered_attended", "recovered_retrieved", "duplicate_attended", "purity_attended"]

    /// One model the study scores: its column, seed (for given models: its number among those of its label), and where its item map is cached.
    struct Entry {
        var variant: String, label: String, seed: Int, path: String
        var open: () throws -> (Dataset, MultiInterestModel)
    }

    /// The Base and Re4 runs of a grid (`Request.runs`, `Request.prefix`).
    public static func run(_ r: Request, context c: AnalysisContext) throws -> Result {
        let runs = try Reproduction.discover(in: r.runs, prefix: r.prefix, log: c.progress).filter { $0.variant == "base" || $0.variant == "re4" }
        guard !runs.isEmpty else { throw VizError.badInput("\(r.runs): no \(r.prefix)-base-s* or \(r.prefix)-re4-s* runs") }
        // Each run is opened when it is scored, so one model at a time is in memory.
        let entries = runs.map { run in
            Entry(variant: run.variant, label: run.label, seed: run.seed, path: run.checkpoint) {
                let opened = try RunData.open(checkpoints: [run.checkpoint], request: r.data, allowMismatch: false)
                return (opened.dataset, opened.models[0])
            }
        }
        return try score(entries, columns: [("base", "Base"), ("re4", "Re4")], r, context: c)
    }

    /// Models given one by one (checkpoints, state dicts, bundles: `ModelInput`), each a column by its label.
    public static func run(models opened: OpenedModels, _ r: Request, context c: AnalysisContext) throws -> Result {
        // Models with one label are seeds of one column (mean ± std over them), numbered in order.
        var columns: [(key: String, label: String)] = [], count: [String: Int] = [:]
        let entries = zip(opened.models, opened.inputs).map { m, input in
            if count[input.label] == nil { columns.append((input.label, input.label)) }
            count[input.label, default: 0] += 1
            return Entry(variant: input.label, label: input.label, seed: count[input.label]!, path: input.path) { (opened.dataset, m) }
        }
        return try score(entries, columns: columns, r, context: c)
    }

    static func score(_ entries: [Entry], columns: [(key: String, label: String)], _ r: Request, context c: AnalysisContext) throws -> Result {
        var scores: [Score] = [], recovery: [(String, Int, [String: Double])] = []
        var truth = false, name = "", users = 0
        for run in entries {
            let (ds, model) = try run.open()
            truth = ds.hasTruth; name = ds.name
            let chosen = sampleUsers(ds, count: r.users, seed: c.seed)
            users = chosen.count
            let dominant = dominantCategories(model: model, dataset: ds, users: chosen, threads: c.threads)
            let views = r.layouts.flatMap { l in l == .map ? r.placements.map { (l, $0) } : [(l, InterestProjection.PlaceBy.embedding)] }
            for (layout, placeBy) in views {
                let view = layout == .map && placeBy == .retrieval ? "map-retrieval" : layout.rawValue
                for space in r.spaces {
                    c.progress("\(run.label) \(run.seed): \(view), \(space.rawValue == "u" ? "U" : "Z")")
                    var q = InterestMap.Request(users: chosen)
                    q.layout = layout; q.map = r.map; q.map.space = space; q.map.placeBy = placeBy
                    // On planted data the drawing scores itself against the truth (`InterestMap.Drawing.viewScores`).
                    let drawing = try InterestMap.run(panels: [Panel(model: model, label: run.label, checkpoint: run.path)], dataset: ds, request: q, context: c)
                    let own = Recovery.viewScore(drawing.points, dataset: ds, matched: dominant, ownItemsOnly: layout == .panels)
                    scores.append(Score(variant: run.variant, seed: run.seed, layout: view, space: space.rawValue,
                                        value: truth ? drawing.viewScores.first ?? nil : own, model: own))
                }
            }
            if truth {
                let per = Distinctness.perUser(model: model, dataset: ds, users: ds.users(in: .test), threads: c.threads)
                var v: [String: Double] = [:]
                for k in recoveryKeys { let x = per[k]!.filter { !$0.isNaN }; if !x.isEmpty { v[k] = x.reduce(0, +) / Double(x.count) } }
                recovery.append((run.variant, run.seed, v))
            }
        }
        return Result(columns: columns, scores: scores, recovery: recovery, truth: truth, dataName: name, users: users)
    }

    /// Per user and interest, the category with the most attention mass (the
    /// stand-in for a matched category when the data carry no truth).
    static func dominantCategories(model: MultiInterestModel, dataset ds: Dataset, users: [Int], threads: Int) -> [[String?]] {
        let ui = UserInterests(model: model, dataset: ds, users: users, threads: threads)
        return users.indices.map { i in
            Recovery.masses(ui, i, tops: [], dataset: ds, attended: true).map { m in m.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key }
        }
    }

    /// The study as Markdown: view scores (mean ± sample std over seeds, seeds
    /// counted) per layout and space for Base and Re4; then recovery.
    public static func markdown(_ s: Result) -> String {
        func cell(_ v: [Double]) -> String {
            guard !v.isEmpty else { return "–" }
            let (m, sd) = Reproduction.meanStd(v)
            return v.count > 1 ? String(format: "%.3f ± %.3f (%d)", m, sd, v.count) : String(format: "%.3f (1)", m)
        }
        var out = "View scores on \(s.dataName), \(s.users) sampled test users per picture: the share of stars whose 10 nearest items in the picture are mostly of one category — "
            + (s.truth ? "*truth*: the planted category the interest is matched to (Hungarian matching on attended categories); *model*: " : "")
            + "the category the interest's own attention puts most mass on" + (s.truth ? "" : " (no truth on this data)")
            + ". Mean ± sample std over seeds (seeds).\n\n"
        let labels = s.columns.map(\.label)
        let heads = s.truth ? labels.map { "\($0) truth" } + labels.map { "\($0) model" } : labels
        out += "| layout | space | " + heads.joined(separator: " | ") + " |\n|---|---|" + heads.map { _ in "---|" }.joined() + "\n"
        var seen: [(String, String)] = []
        for sc in s.scores where !seen.contains(where: { $0 == (sc.layout, sc.space) }) { seen.append((sc.layout, sc.space)) }
        for (layout, space) in seen {
            let here = s.scores.filter { $0.layout == layout && $0.space == space }
            let v = { (variant: String) in here.filter { $0.variant == variant }.compactMap(\.value) }
            let m = { (variant: String) in here.filter { $0.variant == variant }.compactMap(\.model) }
            out += "| \(layout) | \(space == "u" ? "U" : "Z") |" + s.columns.map { " \(cell(v($0.key))) |" }.joined()
                + (s.truth ? s.columns.map { " \(cell(m($0.key))) |" }.joined() : "") + "\n"
        }
        if !s.recovery.isEmpty {
            out += "\nRecovery of the planted interests, all test users (mean over users, then mean ± sample std over seeds):\n\n"
            out += "| statistic | " + labels.joined(separator: " | ") + " |\n|---|" + labels.map { _ in "---|" }.joined() + "\n"
            for k in recoveryKeys {
                let v = { (variant: String) in s.recovery.filter { $0.variant == variant }.compactMap { $0.values[k] } }
                out += "| \(k) |" + s.columns.map { " \(cell(v($0.key))) |" }.joined() + "\n"
            }
        }
        return out
    }

    /// Every score, one row each: `variant,seed,layout,space,score`.
    public static func csv(_ s: Result) -> String {
        "variant,seed,layout,space,score,model_score\n" + s.scores.map { "\($0.variant),\($0.seed),\($0.layout),\($0.space),\($0.value.map { String($0) } ?? ""),\($0.model.map { String($0) } ?? "")" }.joined(separator: "\n") + "\n"
    }
}
