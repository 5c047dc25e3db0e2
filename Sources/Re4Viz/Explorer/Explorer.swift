import Foundation
import Re4Core
import TSNE

/// `re4-viz explore`: one self-contained HTML page with the item map of each
/// checkpoint (the cached `GalleryMap`, Procrustes-aligned onto the first),
/// every chosen user's interests placed on it, their history with attention
/// weights and each interest's top retrieved items (docs/explorer.md). The
/// viewer is the package's own canvas code (`Explorer/explorer.js`), embedded
/// in the binary and inlined into the page: the page opens from disk and makes
/// no request to any server.
public enum Explorer {
    public struct Request: Sendable {
        public var users: [Int]
        /// The t-SNE of each gallery, the interest space and how interests are placed, the item sample.
        public var map = MapSettings()
        /// Retrieved items listed and ringed per interest.
        public var top = 10
        public var title: String = "re4-viz explore"
        public init(users: [Int]) { self.users = users }
    }

    public struct Page: Sendable {
        public var html: String
        /// Items on each map.
        public var mapItems: [Int]
        public var users: Int
        public var summary: String
    }

    /// Progress (`context.progress`): a line per stage and every 50 t-SNE iterations.
    /// - Parameter epochs: earlier checkpoints of the first model (label and model, in
    ///   training order): each user's interests at each of them are placed on the first
    ///   model's map, and a slider on the page moves them across training.
    public static func run(panels: [Panel], dataset ds: Dataset, request r: Request, context c: AnalysisContext,
                             epochs: [Panel] = []) throws -> Page {
        guard !panels.isEmpty, panels.count <= 2 else { throw VizError.badInput("explore takes one or two checkpoints, got \(panels.count)") }
        let models = panels.map(\.model), labels = panels.map(\.label), progress = c.progress
        let tsne = r.map.tsneOptions(c), placement = r.map.placementOptions(c)
        guard r.top >= 1 else { throw VizError.badInput("--top must be ≥ 1, got \(r.top)") }
        guard Set(models.map(\.config.maxLength)).count == 1 else {
            throw VizError.badInput("the checkpoints read histories of different lengths (L \(models.map(\.config.maxLength))); explore models trained with the same --max-length")
        }
        let n = ds.itemCount
        var maps: [GalleryMap] = []
        var modelParts: [[UserPart]] = []
        var histories: [[Int32]] = []
        for (p, m) in models.enumerated() {
            progress("map \(p + 1) of \(models.count) (\(labels[p])): t-SNE of \(min(r.map.sample ?? n, n)) items, or the cached one")
            var map = try GalleryMap.make(model: m, checkpoint: panels[p].checkpoint, options: tsne, sample: r.map.sample ?? n) { t in
                if t.klEvaluated, t.iteration % 50 == 0 { progress(String(format: "  iteration %4d  %@  KL %.4f  %.1fs", t.iteration, t.phase, t.kl, t.seconds)) }
            }
            progress("map \(p + 1): placing \(r.users.count) users' interests, retrieving their top \(r.top)")
            if p > 0 { map = map.applying(map.alignment(onto: maps[0])) }
            maps.append(map)
            let ui = UserInterests(model: m, dataset: ds, users: r.users, threads: c.threads)
            let placed = r.users.isEmpty ? [] : try InterestProjection.placeInterests(ui, model: m, map: map, space: r.map.space, placeBy: r.map.placeBy, placement: placement)
            // History positions hold items, most recent first; attention per position, K values each.
            let positions = r.users.indices.map { i in (0..<ui.L).filter { ui.history[i * ui.L + $0] != 0 } }
            if p == 0 { histories = r.users.indices.map { i in positions[i].map { ui.history[i * ui.L + $0] } } }
            modelParts.append(r.users.indices.map { i in
                var att = [Float]()
                for l in positions[i] { for k in 0..<ui.K { att.append(ui.A[(i * ui.K + k) * ui.L + l]) } }
                return UserPart(stars: Array(placed[(2 * i * ui.K)..<(2 * (i + 1) * ui.K)]), attention: att,
                                top: ui.retrievedItems(i, model: m, top: min(r.top, n)))
            })
        }
        // Interests across training: each earlier checkpoint's interests of the same users, placed by
        // that checkpoint's own embedding onto the first map (items are the same numbers in every epoch).
        guard epochs.isEmpty || models.count == 1 else { throw VizError.badInput("interests across epochs take one model's checkpoints, not a second map") }
        var epochStars: [[Double]] = []
        for (e, em) in epochs.enumerated() {
            guard em.model.config.items == models[0].config.items, em.model.config.interests == models[0].config.interests else {
                throw VizError.badInput("\(em.label) has \(em.model.config.items) items and K = \(em.model.config.interests), the map's model \(models[0].config.items) and K = \(models[0].config.interests); give checkpoints of one run")
            }
            progress("epoch \(e + 1) of \(epochs.count) (\(em.label)): placing the users' interests on the map")
            let ui = UserInterests(model: em.model, dataset: ds, users: r.users, threads: c.threads)
            epochStars.append(r.users.isEmpty ? [] : try InterestProjection.placeInterests(ui, model: em.model, map: maps[0], space: r.map.space, placeBy: r.map.placeBy, placement: placement))
        }
        let j = JSONWriter()
        j.object {
            j.key("title"); j.string(r.title)
            j.key("n"); j.int(n)
            j.key("ids"); j.strings([""] + ds.itemIDs)
            j.key("titles"); j.strings(ds.itemTitles.enumerated().map { $0.offset == 0 ? "" : ($0.element.isEmpty ? "item \(ds.itemIDs[$0.offset - 1])" : $0.element) })
            let genres = Array(Set(ds.itemCategories.joined())).sorted()
            let index = Dictionary(uniqueKeysWithValues: genres.enumerated().map { ($1, $0) })
            j.key("genres"); j.strings(genres)
            j.key("itemGenres"); j.array(ds.itemCategories.map { $0.map { index[$0]! } }) { j.ints($0) }
            j.key("pop"); j.base64(popularity(ds).map { UInt32($0) })
            j.key("maps"); j.array(Array(maps.enumerated())) { p, map in
                let q = quantized(map, items: n)
                j.object {
                    j.key("label"); j.string(labels[p])
                    j.key("K"); j.int(models[p].config.interests)
                    j.key("extent"); j.floats(q.extent.map(Float.init))
                    j.key("qx"); j.base64(q.x)
                    j.key("qy"); j.base64(q.y)
                    if let nn = neighbours(models[p], k: neighbourCount) {
                        j.key("nnK"); j.int(nn.count / n)
                        j.key("nn"); j.base64(nn)
                    }
                }
            }
            if !epochs.isEmpty { j.key("epochs"); j.strings(epochs.map(\.label) + [labels[0]]) }
            j.key("users"); j.array(Array(r.users.enumerated())) { i, u in
                j.object {
                    j.key("id"); j.string(ds.userIDs[u])
                    if !epochs.isEmpty {
                        let K = models[0].config.interests
                        j.key("epochStars"); j.array(epochStars) { j.floats(Array($0[(2 * i * K)..<(2 * (i + 1) * K)]).map(Float.init)) }
                    }
                    j.key("history"); j.ints(histories[i].map(Int.init))
                    j.key("models"); j.array(modelParts.map { $0[i] }) { part in
                        j.object {
                            j.key("stars"); j.floats(part.stars.map(Float.init))
                            j.key("att"); j.floats(part.attention)
                            j.key("top"); j.array(part.top) { j.ints($0.map(Int.init)) }
                        }
                    }
                }
            }
        }
        let html = page(title: r.title, data: j.text)
        let summary = "\(models.count) map\(models.count == 1 ? "" : "s") of \(maps[0].ids.count) items, \(r.users.count) users, \(html.utf8.count / 1024) KiB"
        return Page(html: html, mapItems: maps.map(\.ids.count), users: r.users.count, summary: summary)
    }

    struct UserPart { var stars: [Double]; var attention: [Float]; var top: [[Int32]] }

    /// The code for "not on this map" among quantised positions.
    public static let absent: UInt16 = .max

    /// Item positions as 16-bit steps across the map's extent (x0, x1, y0, y1):
    /// q = round((x − x0) / (x1 − x0) · 65534), 65535 for an item not on the map.
    /// Half the bytes of float32, and at most 1/131,068 of the extent off — a
    /// hundredth of a pixel on a 1,000-pixel map.
    public static func quantized(_ map: GalleryMap, items n: Int) -> (extent: [Double], x: [UInt16], y: [UInt16]) {
        var x0 = Double.infinity, x1 = -Double.infinity, y0 = Double.infinity, y1 = -Double.infinity
        for t in map.ids.indices {
            x0 = min(x0, map.y[2 * t]); x1 = max(x1, map.y[2 * t]); y0 = min(y0, map.y[2 * t + 1]); y1 = max(y1, map.y[2 * t + 1])
        }
        if map.ids.isEmpty { (x0, x1, y0, y1) = (0, 1, 0, 1) }
        let sx = x1 > x0 ? 65534 / (x1 - x0) : 0, sy = y1 > y0 ? 65534 / (y1 - y0) : 0
        var qx = [UInt16](repeating: absent, count: n + 1), qy = qx
        for (t, it) in map.ids.enumerated() {
            qx[Int(it)] = UInt16(((map.y[2 * t] - x0) * sx).rounded())
            qy[Int(it)] = UInt16(((map.y[2 * t + 1] - y0) * sy).rounded())
        }
        return ([x0, x1, y0, y1], qx, qy)
    }

    /// Nearest items listed per item on the page (clicking an item rings them).
    public static let neighbourCount = 10
    /// Above this many items the page carries no neighbour lists (an exact
    /// all-pairs search grows with n²; 20,000 items take about a second).
    public static let neighbourLimit = 20_000

    /// Each item's `k` nearest other items by the cosine of the model's item
    /// embeddings, exact (1-based ids, `k` per item in item order; ties to the
    /// lower id); nil above `neighbourLimit` items.
    public static func neighbours(_ m: MultiInterestModel, k: Int) -> [Int32]? {
        let n = m.config.items, d = m.config.dim
        guard n > 1, n <= neighbourLimit else { return nil }
        let kk = min(k, n - 1)
        var unit = [Float](repeating: 0, count: (n + 1) * d)
        let E = m.embedding
        for i in 1...n {
            var s: Float = 0
            for j in 0..<d { s += E[i * d + j] * E[i * d + j] }
            let inv = s > 0 ? 1 / s.squareRoot() : 0
            for j in 0..<d { unit[i * d + j] = E[i * d + j] * inv }
        }
        let top = unit.withUnsafeBufferPointer { p in
            Retrieval.topN(U: p.baseAddress! + d, users: n, K: 1, d: d, E: p.baseAddress!, items: n, N: kk + 1)
        }
        var out = [Int32]()
        out.reserveCapacity(n * kk)
        for (i, row) in top.enumerated() { out += row.filter { $0 != Int32(i + 1) }.prefix(kk) }
        return out
    }

    /// Interactions of each item number in the training users' sequences (index 0 unused).
    public static func popularity(_ ds: Dataset) -> [Int] {
        var c = [Int](repeating: 0, count: ds.itemCount + 1)
        for u in ds.users(in: .train) { for it in ds.sequences[u] { c[Int(it)] += 1 } }
        return c
    }

    /// The page: the viewer's stylesheet and script inlined, the data as JSON.
    /// A content security policy forbids every fetch, so the page cannot reach a network.
    static func page(title: String, data: String) -> String {
        let css = String(decoding: PackageResources.explorer_css, as: UTF8.self)
        let js = String(decoding: PackageResources.explorer_js, as: UTF8.self)
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(JSONWriter.html(title))</title>
            <style>
            \(css)</style></head>
            <body>
            <script id="re4-data" type="application/json">\(data)</script>
            <script>
            \(js)</script>
            </body></html>

            """
    }
}

/// A small JSON writer: fixed key order and number formatting, so the same
/// input gives the same bytes; `<`, `>` and `&` escaped so the text can sit
/// inside a `<script>` element.
final class JSONWriter {
    private(set) var text = ""
    private var first = [true]

    func separator() {
        if first[first.count - 1] { first[first.count - 1] = false } else { text += "," }
    }
    func object(_ body: () -> Void) {
        separator(); text += "{"; first.append(true); body(); first.removeLast(); text += "}"
    }
    func array<T>(_ xs: [T], _ each: (T) -> Void) {
        separator(); text += "["; first.append(true); xs.forEach(each); first.removeLast(); text += "]"
    }
    func key(_ k: String) {
        separator(); text += JSONWriter.quoted(k) + ":"; first[first.count - 1] = true
    }
    func string(_ s: String) { separator(); text += JSONWriter.quoted(s) }
    func int(_ v: Int) { separator(); text += String(v) }
    func strings(_ xs: [String]) { separator(); text += "[" + xs.map(JSONWriter.quoted).joined(separator: ",") + "]" }
    func ints(_ xs: [Int]) { separator(); text += "[" + xs.map(String.init).joined(separator: ",") + "]" }
    /// Finite values as the shortest decimal that reads back to the same Float; others as null.
    func floats(_ xs: [Float]) {
        separator(); text += "[" + xs.map { $0.isFinite ? "\($0)" : "null" }.joined(separator: ",") + "]"
    }
    /// Little-endian bytes of the values, base64-encoded (a typed array in the page).
    func base64<T: FixedWidthInteger>(_ xs: [T]) {
        separator(); text += "\"" + xs.map(\.littleEndian).withUnsafeBytes { Data($0).base64EncodedString() } + "\""
    }
    func base64(_ xs: [Float]) { base64(xs.map(\.bitPattern)) }

    static func quoted(_ s: String) -> String { jsonString(s, forHTML: true) }

    /// Text for an HTML element's content.
    static func html(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
