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

    public enum Layout: String, Sendable, CaseIterable {
        /// One small panel per user and checkpoint; colours are interests.
        case panels
        /// One panel per checkpoint; each user a hue family, interests its shades.
        case family
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
        let ui = UserInterests(model: model, dataset: dataset, users: users)
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
        case .panels: return palette.color(k)
        case .family:
            let base = palette.color(u)
            let t = K > 1 ? Double(k) / Double(K - 1) : 0.5
            return t < 0.5 ? base.darker(0.45 * (0.5 - t) * 2) : base.lighter(0.55 * (t - 0.5) * 2)
        }
    }

    public static func figure(points: [Point], panelTitles: [String], users: Int, K: Int, layout: Layout,
                              caption: String, title: String?, dpi: Double, palette: Palette = .tab10) -> Figure {
        let panels = panelTitles.count
        var fig: Figure
        switch layout {
        case .family:
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
        return fig
    }

    /// CSV of every plotted point, for replotting elsewhere.
    public static func coordinatesCSV(_ points: [Point], panelTitles: [String], dataset: Dataset) -> String {
        var s = "panel,kind,user,interest,item,raw_item,title,x,y\n"
        for p in points {
            let raw = p.isInterest ? "" : dataset.itemIDs[Int(p.item) - 1]
            let title = p.isInterest ? "" : dataset.itemTitles[Int(p.item)]
            func q(_ v: String) -> String { v.contains(",") || v.contains("\"") ? "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : v }
            s += "\(q(panelTitles[p.panel])),\(p.isInterest ? "interest" : "item"),\(q(p.user)),\(p.interest),\(p.isInterest ? "" : String(p.item)),\(q(raw)),\(q(title)),\(p.x),\(p.y)\n"
        }
        return s
    }
}
