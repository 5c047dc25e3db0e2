import Foundation
import Plot
import Re4Core
import TSNE

/// Figure 4's `map` layout: the whole gallery's t-SNE drawn faint, each user's
/// interests placed on it (`TSNEPlacement`) as stars, the items that
/// correspond to them in the interest's colour.
extension InterestProjection {
    /// How interests are placed on the map.
    public enum PlaceBy: String, Sendable, CaseIterable {
        /// By the interest vector's cosine neighbours among the item embeddings.
        case embedding
        /// By what the interest recommends: affinities are the softmax of its
        /// inner-product scores over its top-k items.
        case retrieval
    }

    /// The map's items (`userIndex` −1) and, per user, the interests' placed
    /// positions and their items' map positions.
    public static func projectOnMap(model: MultiInterestModel, dataset: Dataset, users: [Int], map: GalleryMap,
                                    space: UserInterests.Space, selection: Selection, placeBy: PlaceBy, panel: Int,
                                    placement: PlacementOptions) throws -> [Point] {
        let ui = UserInterests(model: model, dataset: dataset, users: users, threads: placement.threads)
        let K = ui.K
        var pts = map.ids.enumerated().map { j, it in
            Point(panel: panel, isInterest: false, user: "", userIndex: -1, interest: -1, item: it, x: map.y[2 * j], y: map.y[2 * j + 1])
        }
        let placed = try placeInterests(ui, model: model, map: map, space: space, placeBy: placeBy, placement: placement)
        let where_ = map.positions
        for i in users.indices {
            let user = dataset.userIDs[users[i]]
            let groups = selection == .attended ? ui.attendedItems(i) : ui.retrievedItems(i, model: model, top: selection.count)
            for k in 0..<K {
                for it in groups[k] {
                    guard let (x, y) = where_[it] else { continue }
                    pts.append(Point(panel: panel, isInterest: false, user: user, userIndex: i, interest: k, item: it, x: x, y: y))
                }
                let j = i * K + k
                pts.append(Point(panel: panel, isInterest: true, user: user, userIndex: i, interest: k, item: 0, x: placed[2 * j], y: placed[2 * j + 1]))
            }
        }
        return pts
    }

    /// The map positions of every interest of `ui`'s users (users × K × 2, row-major),
    /// placed into the fixed map by `TSNEPlacement` (docs/figures.md).
    public static func placeInterests(_ ui: UserInterests, model: MultiInterestModel, map: GalleryMap, space: UserInterests.Space,
                                      placeBy: PlaceBy, placement: PlacementOptions) throws -> [Double] {
        let d = ui.d
        var reference = [Float](); reference.reserveCapacity(map.ids.count * d)
        for it in map.ids { reference += UnsafeBufferPointer(start: model.embedding + Int(it) * d, count: d) }
        var q = [Float]()
        for i in ui.users.indices { for k in 0..<ui.K { q += ui.interest(i, k, space: space) } }
        let m = ui.users.count * ui.K
        var o = placement
        switch placeBy {
        case .embedding:
            o.metric = .cosine
            return try TSNEPlacement.place(new: q, m: m, reference: reference, n: map.ids.count, dim: d, embedding: map.y, options: o)
        case .retrieval:
            let p = retrievalAffinities(q, m: m, reference: reference, n: map.ids.count, dim: d, k: o.k)
            return try TSNEPlacement.optimize(p, reference: map.y, initial: TSNEPlacement.medianInitialization(p, embedding: map.y), options: o)
        }
    }

    /// Softmax of each interest's inner products over its top-k map items.
    static func retrievalAffinities(_ q: [Float], m: Int, reference x: [Float], n: Int, dim: Int, k: Int) -> PlacementAffinities {
        let k = min(k, n)
        var idx = [Int32](), val = [Double]()
        for i in 0..<m {
            let scores = (0..<n).map { j -> Double in
                var s: Float = 0
                for t in 0..<dim { s += q[i * dim + t] * x[j * dim + t] }
                return Double(s)
            }
            let top = (0..<n).sorted { (scores[$0], $1) > (scores[$1], $0) }.prefix(k)
            let mx = top.map { scores[$0] }.max() ?? 0
            let e = top.map { exp(scores[$0] - mx) }
            let z = e.reduce(0, +)
            idx += top.map { Int32($0) }; val += e.map { $0 / z }
        }
        return PlacementAffinities(m: m, k: k, indices: idx, values: val)
    }

    /// One panel per checkpoint (rows) and user (columns): the map in light grey,
    /// the user's items and interests in the interests' colours, a legend for them.
    public static func mapFigure(points: [Point], panelTitles: [String], users: Int, K: Int, caption: String,
                                 title: String?, dpi: Double, palette: Palette = .tab10) -> Figure {
        let panels = panelTitles.count
        var fig = Figure(rows: panels, columns: users, width: 2.6 * Double(users) + 1.6, height: 2.8 * Double(panels) + 0.7,
                         dpi: dpi, title: (title.map { $0 + " — " } ?? "") + caption)
        fig.fontSize = 8
        // What colour means, once for the figure (a legend inside a panel covers its map).
        fig.legend = (0..<K).map { LegendEntry("interest \($0 + 1) ★ and its items ●", color: palette.color($0), marker: .star) }
            + [LegendEntry("all items", color: Color(hex: "#c7c7c7"), marker: .circle)]
        fig.height += 0.3
        for p in 0..<panels {
            let ground = points.filter { $0.panel == p && $0.userIndex < 0 }
            for u in 0..<users {
                let mine = points.filter { $0.panel == p && $0.userIndex == u }
                var ax = Axes(title: "\(panelTitles[p]) · user \(mine.first?.user ?? "")")
                ax.showTicks = false; ax.equalAspect = true; ax.margin = 0.05
                ax.scatter(x: ground.map(\.x), y: ground.map(\.y), color: Color(hex: "#c7c7c7").withAlpha(0.35), marker: .circle,
                           size: ground.count > 20_000 ? 0.8 : 1.6)
                for k in 0..<K {
                    let items = mine.filter { !$0.isInterest && $0.interest == k }, star = mine.filter { $0.isInterest && $0.interest == k }
                    let c = palette.color(k)
                    ax.scatter(x: items.map(\.x), y: items.map(\.y), color: c.withAlpha(0.9), marker: .circle, size: 4)
                    ax.scatter(x: star.map(\.x), y: star.map(\.y), colors: star.map { _ in c }, marker: .star, size: 12, edge: .black)
                }
                ax.legend = .none
                fig.axes[p * users + u] = ax
            }
        }
        return fig
    }
}

extension InterestProjection.Selection {
    /// Items per interest for `retrieved`; 0 for `attended`.
    var count: Int { if case .retrieved(let n) = self { return n } else { return 0 } }
}
