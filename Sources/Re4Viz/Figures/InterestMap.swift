import Foundation
import Plot
import Re4Core
import TSNE

/// Figure 4 as one job: the chosen users' interests and their items, one
/// t-SNE per checkpoint (`--map users`), or the whole item gallery with the
/// interests on it (`--map items`); the figure, every plotted point as CSV,
/// and a one-line summary. `re4-viz tsne CHECKPOINT…` and `re4-viz figures`
/// both draw through it.
public enum InterestMap {
    /// What the picture shows.
    public enum Kind: String, Sendable, CaseIterable {
        /// Each user's interests and items, embedded jointly (the paper's Figure 4).
        case users
        /// The whole gallery coloured by genre, the users' interests as stars.
        case items
    }

    public struct Request: Sendable {
        public var users: [Int]
        public var kind: Kind = .users
        public var selection: InterestProjection.Selection = .attended
        public var layout: InterestProjection.Layout = .panels
        /// The t-SNE, interest space, placement and gallery sample (with `.items`, or
        /// `layout: .map`: a seeded sample of the items is embedded when set).
        public var map = MapSettings()
        public var title: String? = nil
        public var dpi = 100.0
        /// The user's size, font size and labels, over the layout's own.
        public var style = FigureStyle()
        public init(users: [Int]) { self.users = users }
    }

    public struct Drawing {
        public var figure: Figure
        public var points: [InterestProjection.Point]
        /// Every plotted point (`InterestProjection.coordinatesCSV`).
        public var csv: String
        public var summary: String
        /// Per panel, `Recovery.viewScore` on data with planted interests (empty otherwise).
        public var viewScores: [Double?] = []
        /// Per panel, whether its items' map shows their categories (`MapStructure`; nil without categories).
        public var structure: [MapStructure.Score?] = []
        /// Lines for stderr: maps near chance.
        public var notes: [String] = []

        /// Writes the figure (and the coordinates) into `outputs` and publishes them together.
        public func publish(figure path: String, coordinates: String?, in outputs: OutputSet) throws {
            try outputs.stage(path) { try figure.render(as: path, into: $0) }
            if let coordinates { try outputs.stage(coordinates, data: Data(csv.utf8)) }
            try outputs.commit()
        }
    }

    /// Draws one panel (or row of panels) per model; threads and seed from `context`.
    public static func run(panels: [Panel], dataset ds: Dataset, request r: Request, context c: AnalysisContext) throws -> Drawing {
        guard !r.users.isEmpty else { throw VizError.badInput("no test user has a long enough history to sample") }
        guard !panels.isEmpty else { throw VizError.badInput("no model to draw") }
        let models = panels.map(\.model), titles = panels.map(\.label)
        let tsne = r.map.tsneOptions(c)
        if r.kind == .users, r.selection == .attended, models.contains(where: { $0.precomputed != nil && $0.precomputed?.A == nil }) {
            throw VizError.badInput("--items attended needs the model's attention (--attention A.npy with --histories H.npy); use --items retrieved")
        }
        var pts: [InterestProjection.Point] = []
        let figure: Figure, summary: String
        let panelText = "\(models.count) panel\(models.count == 1 ? "" : "s")"
        switch r.kind {
        case .items:
            for (p, m) in models.enumerated() {
                pts += try InterestProjection.projectGallery(model: m, dataset: ds, users: r.users, space: r.map.space, sample: r.map.sample,
                                                             seed: c.seed, panel: p, options: tsne)
            }
            figure = InterestProjection.galleryFigure(points: pts, panelTitles: titles, dataset: ds, title: r.title, dpi: r.dpi)
            summary = "\(panelText), \(pts.filter { !$0.isInterest }.count / models.count) items, \(r.users.count) users' interests"
        case .users where r.layout == .map:
            var maps: [GalleryMap] = []
            for (p, m) in models.enumerated() {
                var map = try GalleryMap.make(model: m, checkpoint: panels[p].checkpoint, options: tsne, sample: r.map.sample)
                if p > 0 { map = map.applying(map.alignment(onto: maps[0])) }   // Procrustes onto the first map
                maps.append(map)
                pts += try InterestProjection.projectOnMap(model: m, dataset: ds, users: r.users, map: map, space: r.map.space,
                                                           selection: r.selection, placeBy: r.map.placeBy, panel: p,
                                                           placement: r.map.placementOptions(c))
            }
            let K = models.map(\.config.interests).max() ?? 4
            figure = InterestProjection.mapFigure(points: pts, panelTitles: titles, users: r.users.count, K: K,
                                                  caption: "item map (t-SNE of \(maps[0].ids.count) items), interests placed by \(r.map.placeBy.rawValue) from "
                                                      + (r.map.space == .u ? "U" : "Z") + "; " + r.selection.caption,
                                                  title: r.title, dpi: r.dpi)
            summary = "\(panelText) on item maps of \(maps[0].ids.count) items, \(r.users.count) users' interests placed by \(r.map.placeBy.rawValue)"
        case .users:
            for (p, m) in models.enumerated() {
                pts += try InterestProjection.project(model: m, dataset: ds, users: r.users, space: r.map.space, selection: r.selection,
                                                      panel: p, options: tsne)
            }
            let K = models.map(\.config.interests).max() ?? 4
            figure = InterestProjection.figure(points: pts, panelTitles: titles, users: r.users.count, K: K, layout: r.layout,
                                               caption: r.selection.caption + ", interests " + (r.map.space == .u ? "U" : "Z"),
                                               title: r.title, dpi: r.dpi)
            summary = "\(panelText), \(r.users.count) users, \(pts.filter(\.isInterest).count) interests, \(pts.filter { !$0.isInterest }.count) items"
        }
        var scores: [Double?] = []
        var line = summary
        if ds.hasTruth, !models.contains(where: { $0.precomputed != nil && $0.precomputed?.A == nil }) {
            for (p, m) in models.enumerated() {
                let matched = Recovery.matchedCategories(model: m, dataset: ds, users: r.users, threads: c.threads)
                scores.append(Recovery.viewScore(pts.filter { $0.panel == p }, dataset: ds, matched: matched,
                                                 ownItemsOnly: r.kind == .users && r.layout == .panels))
            }
            line += "; view score (stars whose 10 nearest items are mostly of their planted category): "
                + zip(titles, scores).map { "\($0) \($1.map { String(format: "%.2f", $0) } ?? "–")" }.joined(separator: ", ")
        }
        let structure = titles.indices.map { p in MapStructure.score(pts.filter { $0.panel == p }, dataset: ds) }
        if structure.contains(where: { $0 != nil }) {
            line += "; structure: " + zip(titles, structure).map { "\($0) \($1?.text ?? "–")" }.joined(separator: ", ")
        }
        let notes = zip(titles, structure).compactMap { t, s in s.flatMap { MapStructure.warning(panel: t, $0) } }
        var d = Drawing(figure: figure.styled(r.style), points: pts,
                        csv: InterestProjection.coordinatesCSV(pts, panelTitles: titles, dataset: ds, structure: structure),
                        summary: line, viewScores: scores)
        d.structure = structure; d.notes = notes
        return d
    }

    /// The users given by id, each of which must be in `split` (Figure 4 is about
    /// unseen test users; another split must be asked for by name).
    public static func users(ids: [String], in ds: Dataset, split: SplitPart) throws -> [Int] {
        try ids.map { w in
            guard let i = ds.userIDs.firstIndex(of: w) else { throw VizError.badInput("user '\(w)' is not in \(ds.name)") }
            guard ds.split[i] == split else {
                throw VizError.badInput("user '\(w)' is a \(ds.split[i].name) user, not a \(split.name) user; pick \(split.name) users or pass --split \(ds.split[i].name)")
            }
            return i
        }
    }
}
