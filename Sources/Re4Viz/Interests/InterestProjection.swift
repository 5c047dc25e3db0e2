import Foundation
import Plot
import Re4Core
import TSNE

/// The paper's Figure 4: interests (★) of sampled test users and the items
/// that correspond to them (●, same colour), embedded by one joint t-SNE per
/// checkpoint.
public enum InterestProjection {
    public enum Selection: Sendable, Equatable {
        /// History items whose attention from the interest exceeds 1/length, each
        /// given to the interest that attends to it most.
        case attended
        /// The top-n items each interest retrieves from the whole gallery.
        case retrieved(Int)

        public var caption: String {
            switch self {
            case .attended: return "items: attended history items (attention > 1/length)"
            case .retrieved(let n): return "items: each interest's top-\(n) retrieved items"
            }
        }
    }

    /// `--items`: which items stand for an interest (the count comes with `retrieved`).
    public enum ItemChoice: String, Sendable, CaseIterable {
        case attended, retrieved
        public func selection(top n: Int) -> Selection { self == .attended ? .attended : .retrieved(n) }
    }

    public enum Layout: String, Sendable, CaseIterable {
        /// One small panel per user and checkpoint; colours are interests.
        case panels
        /// One panel per checkpoint; each user a hue family, interests its shades.
        case family
        /// The whole gallery's t-SNE per checkpoint, interests placed on it (`projectOnMap`).
        case map
    }

    public struct Point: Sendable, Equatable {
        public var panel: Int
        public var isInterest: Bool
        public var user: String
        public var userIndex: Int
        public var interest: Int
        public var item: Int32
        public var x: Double
        public var y: Double
    }

    /// Interests and their items for `users`, embedded jointly (cosine by default).
    public static func project(model: MultiInterestModel, dataset: Dataset, users: [Int], space: UserInterests.Space,
                               selection: Selection, panel: Int, options: TSNEOptions) throws -> [Point] {
        let ui = UserInterests(model: model, dataset: dataset, users: users, threads: options.threads)
        let d = ui.d
        var vectors: [Float] = []
        var meta: [(Bool, Int, Int, Int32)] = []  // interest?, user index, k, item
        for i in users.indices {
            let groups: [[Int32]]
            switch selection {
            case .attended: groups = ui.attendedItems(i)
            case .retrieved(let n): groups = ui.retrievedItems(i, model: model, top: n)
            }
            for k in 0..<ui.K {
                vectors += ui.interest(i, k, space: space); meta.append((true, i, k, 0))
                for it in groups[k] {
                    vectors += UnsafeBufferPointer(start: model.embedding + Int(it) * d, count: d)
                    meta.append((false, i, k, it))
                }
            }
        }
        let n = meta.count
        guard n >= 4 else { throw VizError.badInput("only \(n) points to embed; sample more users (--users)") }
        var o = options
        o.perplexity = min(o.perplexity, max(1, (Double(n - 1) / 3).rounded(.down) - 1))
        let r = try TSNE.embed(vectors, n: n, dim: d, options: o)
        return meta.enumerated().map { j, m in
            Point(panel: panel, isInterest: m.0, user: dataset.userIDs[users[m.1]], userIndex: m.1, interest: m.2, item: m.3,
                  x: r.embedding[2 * j], y: r.embedding[2 * j + 1])
        }
    }

    /// Colour of interest k of user u.
    static func color(layout: Layout, user u: Int, interest k: Int, K: Int, palette: Palette) -> Color {
        switch layout {
        case .panels, .map: return palette.color(k)
        case .family: return shade(palette.color(u), interest: k, K: K)
        }
    }

    /// Interest k's shade of a user's colour: darkest for the first, lightest for the last.
    static func shade(_ base: Color, interest k: Int, K: Int) -> Color {
        let t = K > 1 ? Double(k) / Double(K - 1) : 0.5
        return t < 0.5 ? base.darker(0.45 * (0.5 - t) * 2) : base.lighter(0.55 * (t - 0.5) * 2)
    }

    public static func figure(points: [Point], panelTitles: [String], users: Int, K: Int, layout: Layout,
                              caption: String, title: String?, dpi: Double, palette: Palette = .tab10) -> Figure {
        let panels = panelTitles.count
        var fig: Figure
        switch layout {
        case .family, .map:
            fig = Figure(rows: 1, columns: panels, width: 5.2 * Double(panels), height: 5.0, dpi: dpi, title: title)
        case .panels:
            fig = Figure(rows: panels, columns: users, width: 2.3 * Double(users) + 0.4, height: 2.6 * Double(panels) + 0.6, dpi: dpi, title: title)
        }
        fig.fontSize = layout == .panels ? 8 : 10
        for p in 0..<panels {
            let cells = layout == .family ? [0] : Array(0..<users)
            for cell in cells {
                var ax = Axes(title: layout == .family ? panelTitles[p] : "\(panelTitles[p]) · user \(points.first { $0.panel == p && $0.userIndex == cell }?.user ?? "")")
                ax.showTicks = false
                ax.equalAspect = true
                ax.margin = 0.1
                ax.legend = .none
                let sel = points.filter { $0.panel == p && (layout == .family || $0.userIndex == cell) }
                let items = sel.filter { !$0.isInterest }, stars = sel.filter(\.isInterest)
                ax.scatter(x: items.map(\.x), y: items.map(\.y),
                           colors: items.map { color(layout: layout, user: $0.userIndex, interest: $0.interest, K: K, palette: palette).lighter(0.25).withAlpha(0.85) },
                           marker: .circle, size: layout == .panels ? 4.5 : 5)
                ax.scatter(x: stars.map(\.x), y: stars.map(\.y),
                           colors: stars.map { color(layout: layout, user: $0.userIndex, interest: $0.interest, K: K, palette: palette) },
                           marker: .star, size: layout == .panels ? 10 : 12, edge: .black)
                fig.axes[layout == .family ? p : p * users + cell] = ax
            }
        }
        if let t = fig.title { fig.title = t + " — " + caption } else { fig.title = caption }
        fig.legend = legend(points: points, users: users, K: K, layout: layout, palette: palette)
        fig.height += 0.35 * Double(max(1, fig.legend.count / 8))
        return fig
    }

    /// What colour means: per interest (panels), or per user with the interest
    /// as the shade (family: interest 1 darkest, K lightest).
    static func legend(points: [Point], users: Int, K: Int, layout: Layout, palette: Palette) -> [LegendEntry] {
        let dot = LegendEntry("items of each interest", color: Color(hex: "#8c8c8c"), marker: .circle)
        switch layout {
        case .panels, .map:
            return (0..<K).map { LegendEntry("interest \($0 + 1)", color: palette.color($0), marker: .star) } + [dot]
        case .family:
            let ids = (0..<users).map { u in points.first { $0.userIndex == u }?.user ?? String(u + 1) }
            return ids.enumerated().map { LegendEntry("user \($0.element)", color: palette.color($0.offset), marker: .star) }
                + (0..<K).map { LegendEntry("interest \($0 + 1)", color: shade(Color(hex: "#606060"), interest: $0, K: K), marker: .star) }
                + [dot]
        }
    }

    /// CSV of every plotted point, for replotting elsewhere.
    /// Every plotted point; with `structure`, each row also carries its panel's
    /// category agreement of 2-D neighbours and its chance level (`MapStructure`).
    public static func coordinatesCSV(_ points: [Point], panelTitles: [String], dataset: Dataset, structure: [MapStructure.Score?] = []) -> String {
        let scored = structure.contains { $0 != nil }
        var s = "panel,kind,user,interest,item,raw_item,title,x,y" + (scored ? ",panel_neighbour_category_agreement,panel_agreement_chance" : "") + "\n"
        for p in points {
            let raw = p.isInterest ? "" : dataset.itemIDs[Int(p.item) - 1]
            let interest = p.interest >= 0 ? String(p.interest) : ""
            let title = p.isInterest ? "" : dataset.itemTitles[Int(p.item)]
            let q = CSV.field
            s += "\(q(panelTitles[p.panel])),\(p.isInterest ? "interest" : "item"),\(q(p.user)),\(interest),\(p.isInterest ? "" : String(p.item)),\(q(raw)),\(q(title)),\(p.x),\(p.y)"
            if scored {
                let sc = structure.indices.contains(p.panel) ? structure[p.panel] : nil
                s += "," + (sc.map { String(format: "%.4f,%.4f", $0.agreement, $0.chance) } ?? ",")
            }
            s += "\n"
        }
        return s
    }
}

extension InterestProjection {
    /// The item gallery (all items, or a seeded sample) with the sampled users'
    /// interests, embedded jointly; items carry `interest = -1`.
    public static func projectGallery(model: MultiInterestModel, dataset: Dataset, users: [Int], space: UserInterests.Space,
                                      sample: Int?, seed: UInt64, panel: Int, options: TSNEOptions) throws -> [Point] {
        let ui = UserInterests(model: model, dataset: dataset, users: users, threads: options.threads)
        let d = ui.d, n = model.config.items
        var ids = Array(1...n).map { Int32($0) }
        if let s = sample, s < n {
            var rng = SeededRandom(seed: seed, stream: "gallery-sample")
            rng.shuffle(&ids)
            ids = Array(ids.prefix(s)).sorted()
        }
        var vectors: [Float] = []
        var meta: [(Bool, Int, Int, Int32)] = []
        for it in ids { vectors += UnsafeBufferPointer(start: model.embedding + Int(it) * d, count: d); meta.append((false, -1, -1, it)) }
        for i in users.indices { for k in 0..<ui.K { vectors += ui.interest(i, k, space: space); meta.append((true, i, k, 0)) } }
        var o = options
        o.perplexity = min(o.perplexity, max(1, (Double(meta.count - 1) / 3).rounded(.down) - 1))
        let r = try TSNE.embed(vectors, n: meta.count, dim: d, options: o)
        return meta.enumerated().map { j, m in
            Point(panel: panel, isInterest: m.0, user: m.1 >= 0 ? dataset.userIDs[users[m.1]] : "", userIndex: m.1,
                  interest: m.2, item: m.3, x: r.embedding[2 * j], y: r.embedding[2 * j + 1])
        }
    }

    /// One panel per checkpoint: items coloured by their first genre (the most
    /// frequent ones; the rest grey), interests as stars coloured by user.
    public static func galleryFigure(points: [Point], panelTitles: [String], dataset: Dataset, title: String?, dpi: Double,
                                     maxGenres: Int = 9) -> Figure {
        var counts: [String: Int] = [:]
        for p in points where !p.isInterest && p.panel == 0 { if let g = dataset.itemCategories[Int(p.item)].first { counts[g, default: 0] += 1 } }
        let genres = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(maxGenres).map(\.key)
        var fig = Figure(rows: 1, columns: panelTitles.count, width: 5.6 * Double(panelTitles.count) + 1.2, height: 5.4, dpi: dpi,
                         title: (title.map { $0 + " — " } ?? "") + "item gallery by first genre, ★ = sampled users' interests")
        for (p, t) in panelTitles.enumerated() {
            var ax = Axes(title: t)
            ax.showTicks = false; ax.equalAspect = true
            let items = points.filter { $0.panel == p && !$0.isInterest }
            for (gi, g) in (genres + ["other"]).enumerated() {
                let sel = items.filter { p in
                    let first = dataset.itemCategories[Int(p.item)].first
                    return g == "other" ? !(first.map(genres.contains) ?? false) : first == g
                }
                if sel.isEmpty { continue }
                let c = g == "other" ? Color(hex: "#c7c7c7") : Palette.tab10.color(gi)
                ax.scatter(x: sel.map(\.x), y: sel.map(\.y), color: c.withAlpha(0.6), marker: .circle, size: 3, label: g)
            }
            let stars = points.filter { $0.panel == p && $0.isInterest }
            ax.scatter(x: stars.map(\.x), y: stars.map(\.y), colors: stars.map { _ in Color.black }, marker: .star, size: 11,
                       edge: .white, label: "interests")
            ax.legend = p == panelTitles.count - 1 ? .outsideRight : .none
            fig.axes[p] = ax
        }
        return fig
    }
}
