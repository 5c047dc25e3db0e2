import Foundation
import XCTest
import TestSupport
import Plot
@testable import Re4Core
@testable import Re4Viz
import TSNE

/// `re4-viz explore`: the page's data (unit tests) and the page itself in headless Chromium.
final class ExplorerTests: XCTestCase {
    /// Two small models (Base and Re4, one epoch) on planted data, shared by the tests.
    nonisolated(unsafe) static var fixture: (dir: String, opened: RunData)?

    func models() throws -> (dir: String, opened: RunData) {
        if let f = Self.fixture { return f }
        let dir = makeTempDir("explorer-fixture")
        var s = SyntheticSpec(); s.users = 300; s.items = 1_000; s.categories = 6; s.maxInterests = 3; s.minLength = 20; s.maxLength = 40; s.seed = 3
        try Synthetic.write(s, to: dir + "/data")
        let src = DataSource(data: dir + "/data")
        var o = TrainingOptions(); o.epochs = 1; o.batchSize = 128; o.threads = 2; o.negatives = .uniform(count: 50)
        var c = ModelConfig(); c.interests = 3; c.dim = 8; c.hidden = 8
        var base = c; base.lambdaAtt = 0; base.lambdaCt = 0; base.lambdaCs = 0
        try TrainingRun.run(source: src, model: base, options: o, out: dir + "/base", resume: false, stopOnSignals: false)
        try TrainingRun.run(source: src, model: c, options: o, out: dir + "/re4", resume: false, stopOnSignals: false)
        let opened = try RunData.open(checkpoints: [dir + "/base/best.safetensors", dir + "/re4/best.safetensors"], request: DataRequest(), allowMismatch: false)
        Self.fixture = (dir, opened)
        return (dir, opened)
    }

    func request(_ ds: Dataset, dir: String, users: [Int]) -> Explorer.Request {
        var r = Explorer.Request(users: users)
        r.map.tsne.iterations = 150; r.map.tsne.earlyIterations = 100
        return r
    }

    /// The test's context: two threads, the default seed.
    let context = AnalysisContext(threads: 2)

    /// The two trained models as the page's maps, titled Base and Re4 (their run folders cache the maps).
    func panels(_ opened: RunData, dir: String) -> [Panel] {
        let names = ["base", "re4"], labels = ["Base", "Re4"]
        return opened.models.indices.map { Panel(model: opened.models[$0], label: labels[$0], checkpoint: dir + "/" + names[$0] + "/best.safetensors") }
    }

    /// A page of `count` sampled users written to a fresh folder: the data set, the users and the page's file URL.
    func writtenPage(users count: Int) throws -> (ds: Dataset, users: [Int], url: String, folder: String) {
        let (dir, opened) = try models()
        let ds = opened.dataset
        let users = sampleUsers(ds, count: count, seed: 2)
        let page = try Explorer.run(panels: panels(opened, dir: dir), dataset: ds, request: request(ds, dir: dir, users: users), context: context)
        let folder = makeTempDir()
        try page.html.write(toFile: folder + "/explore.html", atomically: true, encoding: .utf8)
        return (ds, users, URL(fileURLWithPath: folder + "/explore.html").absoluteString, folder)
    }

    func testJSONTextIsEscapedForAScriptElement() throws {
        XCTAssertEqual(JSONWriter.quoted("a\"b\\c\n</script>&\u{1}"), #""a\"b\\c\n\u003c/script\u003e\u0026\u0001""#)
        XCTAssertEqual(jsonString("</a>&"), #""</a>&""#, "plain JSON (checkpoint metadata) keeps < > & as they are")
        let j = JSONWriter()
        j.object { j.key("a"); j.ints([1, 2]); j.key("b"); j.object { j.key("c"); j.string("x") }; j.key("f"); j.floats([1.5, .nan]) }
        XCTAssertEqual(j.text, #"{"a":[1,2],"b":{"c":"x"},"f":[1.5,null]}"#)
        let parsed = try JSONSerialization.jsonObject(with: Data(j.text.utf8)) as! [String: Any]
        XCTAssertEqual(parsed["a"] as? [Int], [1, 2])
    }

    func testThePageCarriesTheMapsAndIsTheSameBytesTwice() throws {
        let (dir, opened) = try models()
        let ds = opened.dataset
        let users = sampleUsers(ds, count: 5, seed: 1)
        let page = try Explorer.run(panels: panels(opened, dir: dir), dataset: ds, request: request(ds, dir: dir, users: users), context: context)
        XCTAssertEqual(page.mapItems, [ds.itemCount, ds.itemCount])
        XCTAssertEqual(try Explorer.run(panels: panels(opened, dir: dir), dataset: ds, request: request(ds, dir: dir, users: users), context: context).html, page.html)
        XCTAssertTrue(page.html.contains("Content-Security-Policy\" content=\"default-src 'none'"))
        XCTAssertFalse(page.html.contains("http://") || page.html.contains("https://"), "no address to fetch from")
        // The data read back: the first map's positions are the cached item map's, as 16-bit steps of its extent.
        let a = page.html.range(of: "<script id=\"re4-data\" type=\"application/json\">")!, b = page.html.range(of: "</script>", range: a.upperBound..<page.html.endIndex)!
        let data = try JSONSerialization.jsonObject(with: Data(page.html[a.upperBound..<b.lowerBound].utf8)) as! [String: Any]
        let maps = data["maps"] as! [[String: Any]]
        let qx = Data(base64Encoded: maps[0]["qx"] as! String)!.withUnsafeBytes { Array($0.bindMemory(to: UInt16.self)) }
        let extent = maps[0]["extent"] as! [Double]
        let map = try GalleryMap.make(model: opened.models[0], checkpoint: dir + "/base/best.safetensors", options: request(ds, dir: dir, users: users).map.tsneOptions(context), sample: ds.itemCount)
        XCTAssertEqual(qx.count, ds.itemCount + 1)
        XCTAssertEqual(qx[0], Explorer.absent)
        XCTAssertEqual(extent[0] + Double(qx[Int(map.ids[7])]) * (extent[1] - extent[0]) / 65534, map.y[14], accuracy: (extent[1] - extent[0]) / 65534 + 1e-6 * abs(map.y[14]))
        let pop = Data(base64Encoded: data["pop"] as! String)!.withUnsafeBytes { Array($0.bindMemory(to: UInt32.self)) }
        XCTAssertEqual(pop.reduce(0) { $0 + Int($1) }, ds.users(in: .train).reduce(0) { $0 + ds.sequences[$1].count }, "popularity counts training interactions")
        let u = (data["users"] as! [[String: Any]])[0]
        XCTAssertEqual((u["history"] as! [Int]).count, min(ds.evaluationCut(user: users[0]), opened.models[0].config.maxLength))
        XCTAssertEqual(((u["models"] as! [[String: Any]])[1]["stars"] as! [Double]).count, 2 * 3)
        XCTAssertThrowsError(try Explorer.run(panels: [], dataset: ds, request: Explorer.Request(users: users), context: context))
    }

    /// The page in a real browser: every point drawn; hovering an item's screen
    /// position shows its title and rings it in both maps; searching highlights
    /// the titles Swift counts; a user brings K stars, its history and the top
    /// lists; box select, zoom and reset work; no request leaves the page.
    func testThePageInHeadlessChromium() throws {
        let chromium = try Chromium.find()
        let (ds, users, page, _) = try writtenPage(users: 8)
        let opened = try models().opened
        let item = 5, query = "(\(ds.itemCategories[5][0]))", user = ds.userIDs[users[3]]
        let url = page + "#selftest&item=\(item)&query=\(query.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&selftest-user=\(user)"
        let r = try chromium.run(url, mode: ["--dump-dom"])
        let t = try Chromium.selfTest(r.dom)
        let n = ds.itemCount, K = 3, L = opened.models[0].config.maxLength
        XCTAssertEqual(t["items"] as? [Int], [n, n])
        XCTAssertEqual(t["drawn"] as? [Int], [n, n], "every item drawn on each map")
        XCTAssertEqual(t["hoverItem"] as? Int, item, "the item under its own position (no neighbour within half a pixel on this map)")
        XCTAssertEqual(t["hoverTitle"] as? String, ds.itemTitles[item], "hovering the item's position shows its title")
        XCTAssertEqual(t["hoverDrawn"] as? [Int], [item, item], "and rings it in both maps")
        XCTAssertEqual(t["hoverAfterLeave"] as? Int, 0)
        XCTAssertEqual(t["boxHasItem"] as? Bool, true)
        let boxed = t["boxSelected"] as! Int
        XCTAssertEqual(t["selectedDrawn"] as? [Int], [boxed, boxed], "the selection is shown in both maps")
        XCTAssertEqual(t["selectionListed"] as? Int, min(boxed, 50))
        // Lasso: the same square selects the same items; counts by category add up; the CSV lists them.
        XCTAssertEqual(t["lassoSelected"] as? Int, boxed)
        XCTAssertEqual(t["lassoHasItem"] as? Bool, true)
        XCTAssertEqual(t["lassoSameAsBox"] as? Bool, true)
        XCTAssertEqual(t["countsSum"] as? Int, boxed)
        XCTAssertEqual(t["csvIsData"] as? Bool, true, "a data: URL, no request")
        let csvLines = (t["csv"] as? String ?? "").split(separator: "\n")
        XCTAssertEqual(csvLines.first, "item,title,genres")
        XCTAssertEqual(csvLines.count, boxed + 1)
        XCTAssertTrue(csvLines.dropFirst().contains { $0.hasPrefix(ds.itemIDs[item - 1] + ",") }, "the item is a row: \(csvLines.prefix(4))")
        XCTAssertEqual(t["lassoOutlineKept"] as? [Bool], [false, true], "the lasso's outline stays on the map it was drawn on")
        XCTAssertEqual(t["lassoEmpty"] as? Int, 0)
        XCTAssertEqual(t["emptyLassoOutline"] as? [Bool], [false, false], "an empty selection keeps no outline")
        XCTAssertEqual(t["initialSelection"] as? [Int], [], "nothing selected without #lasso=")
        // Clicking the item: its 10 nearest items by cosine of each model's embeddings (computed here
        // by brute force), ringed on each map and listed, the ones both models list marked.
        XCTAssertEqual(t["pinnedItem"] as? Int, item)
        func nearest(_ m: MultiInterestModel) -> [Int] {
            let d = m.config.dim, E = m.embedding
            func row(_ i: Int) -> [Double] { (0..<d).map { Double(E[i * d + $0]) } }
            let a = row(item), na = a.map { $0 * $0 }.reduce(0, +).squareRoot()
            let sims = (1...n).filter { $0 != item }.map { j -> (Double, Int) in
                let b = row(j), nb = b.map { $0 * $0 }.reduce(0, +).squareRoot()
                return (zip(a, b).map(*).reduce(0, +) / (na * nb), j)
            }
            return sims.sorted { $0.0 > $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }.prefix(10).map(\.1)
        }
        let expected = opened.models.map(nearest)
        XCTAssertEqual(t["neighbourLists"] as? [[Int]], expected)
        XCTAssertEqual(t["neighboursDrawn"] as? [Int], [10, 10])
        XCTAssertEqual(t["neighbourRows"] as? [Int], [10, 10])
        let both = Set(expected[0]).intersection(expected[1]).count
        XCTAssertEqual(t["neighbourBoth"] as? [Int], [both, both])
        XCTAssertEqual(t["neighboursAfterClear"] as? [Int], [0, 0])
        // Density: the shaded cells are those holding items; none when off.
        let cells = t["densityCells"] as? [Int] ?? []
        XCTAssertTrue(cells.count == 2 && cells.allSatisfy { $0 > 0 }, "\(cells)")
        XCTAssertTrue((t["densityMax"] as? [Int] ?? []).allSatisfy { $0 >= 1 })
        XCTAssertEqual(t["densityOff"] as? [Int], [0, 0])
        // Locked maps move together; unlocked, only the one under the pointer.
        XCTAssertEqual(t["lockedAfterZoom"] as? Bool, true)
        XCTAssertEqual(t["lockedAfterPan"] as? Bool, true)
        XCTAssertEqual(t["unlockedMovesOne"] as? Bool, true)
        // Category labels never overlap and go away when turned off (placement: testLabels…).
        XCTAssertEqual(t["labelsOverlap"] as? Bool, false)
        XCTAssertEqual(t["labelsZoomedOverlap"] as? Bool, false)
        XCTAssertEqual(t["labelsOff"] as? [Int], [0, 0])
        let h = min(ds.evaluationCut(user: users[3]), L)
        XCTAssertEqual(t["stars"] as? [Int], [K, K])
        XCTAssertEqual(t["historyRows"] as? Int, h)
        XCTAssertEqual(t["historyDrawn"] as? [Int], [h, h])
        XCTAssertEqual(t["topDrawn"] as? [Int], [K * 10, K * 10])
        XCTAssertEqual(t["topLists"] as? Int, 2 * K)
        // A box around the user's first interest lists the user among those with an interest there
        // (each listed user has a star in the box), and a click on the entry chooses the user.
        XCTAssertEqual(t["selectionUserListed"] as? Bool, true)
        XCTAssertEqual(t["selectionUsersAllHaveAStar"] as? Bool, true)
        XCTAssertEqual(t["userChosenFromSelection"] as? Bool, true)
        XCTAssertGreaterThan(t["zoomed"] as! Double, 1.2)
        XCTAssertEqual(t["resetScale"] as! Double, 1, accuracy: 1e-12)
        XCTAssertEqual(t["userAfterReset"] as? Int, -1)
        XCTAssertEqual((t["resources"] as? [Any])?.count, 0, "no resource loaded")
        XCTAssertEqual(r.pageRequests, [], "no request from the page reached the proxy")
    }

    /// `#lasso=x1,y1,…` (map coordinates of the first map) selects exactly the items
    /// inside that polygon by the even-odd rule, computed here from the cached map,
    /// and draws its outline; a malformed list selects nothing and says why.
    func testLassoFragmentSelectsTheItemsInsideThePolygon() throws {
        let chromium = try Chromium.find()
        let (ds, _, page, _) = try writtenPage(users: 2)
        let (dir, opened) = try models()
        let map = try GalleryMap.make(model: opened.models[0], checkpoint: dir + "/base/best.safetensors",
                                      options: request(ds, dir: dir, users: []).map.tsneOptions(context), sample: ds.itemCount)
        // A triangle around the map's centre, half its extent across.
        let xs = stride(from: 0, to: map.y.count, by: 2).map { map.y[$0] }, ys = stride(from: 1, to: map.y.count, by: 2).map { map.y[$0] }
        let (cx, cy) = ((xs.min()! + xs.max()!) / 2, (ys.min()! + ys.max()!) / 2), w = (xs.max()! - xs.min()!) / 4
        let poly = [(cx - w, cy - w), (cx + w, cy - w), (cx, cy + w)]
        func holds(_ x: Double, _ y: Double) -> Bool {
            var odd = false
            for a in 0..<poly.count {
                let b = (a + poly.count - 1) % poly.count, (xa, ya) = poly[a], (xb, yb) = poly[b]
                if (ya > y) != (yb > y), x < (xb - xa) * (y - ya) / (yb - ya) + xa { odd.toggle() }
            }
            return odd
        }
        let want = map.ids.indices.filter { holds(map.y[2 * $0], map.y[2 * $0 + 1]) }.map { Int(map.ids[$0]) }.sorted()
        XCTAssertGreaterThan(want.count, 3, "the triangle holds items")
        // Positions travel as 16-bit steps of the extent: an item within a step of an edge may fall either way.
        let fragment = poly.map { String(format: "%.6f,%.6f", $0.0, $0.1) }.joined(separator: ",")
        let t = try Chromium.selfTest(try chromium.run(page + "#lasso=\(fragment)&selftest", mode: ["--dump-dom"]).dom)
        let got = t["initialSelection"] as? [Int] ?? []
        XCTAssertLessThanOrEqual(Set(got).symmetricDifference(want).count, max(1, want.count / 100), "got \(got.count), want \(want.count)")
        XCTAssertEqual(t["initialShapeDrawn"] as? [Bool], [true, false])
        let bad = try Chromium.selfTest(try chromium.run(page + "#lasso=1,2,3&selftest", mode: ["--dump-dom"]).dom)
        XCTAssertEqual(bad["initialSelection"] as? [Int], [])
        XCTAssertEqual(bad["initialStatus"] as? String, "#lasso= needs three or more x,y pairs of map coordinates")
    }

    /// Untrained models (random N(0, 1) item embeddings) give maps where no category is
    /// concentrated beyond chance: the page places no label on them.
    func testAMapWithoutCategoryStructureGetsNoLabels() throws {
        let chromium = try Chromium.find()
        let (dir, opened) = try models()
        let ds = opened.dataset
        let random = [7, 8].map { seed -> MultiInterestModel in
            var c = opened.models[0].config; c.items = ds.itemCount
            return MultiInterestModel.initial(config: c, seed: UInt64(seed))
        }
        let users = sampleUsers(ds, count: 4, seed: 2)
        let page = try Explorer.run(panels: zip(random, ["Base", "Re4"]).map { Panel(model: $0, label: $1) }, dataset: ds,
                                      request: request(ds, dir: dir, users: users), context: context)
        let folder = makeTempDir()
        try page.html.write(toFile: folder + "/explore.html", atomically: true, encoding: .utf8)
        let t = try Chromium.selfTest(try chromium.run(URL(fileURLWithPath: folder + "/explore.html").absoluteString + "#selftest", mode: ["--dump-dom"]).dom)
        XCTAssertEqual(t["labelCandidates"] as? [Int], [0, 0])
        XCTAssertEqual(t["labels"] as? [Int], [0, 0])
    }

    /// Maps whose categories sit in known places (each category's items around its own
    /// centre on a circle): every category gets a label candidate near its centre, larger
    /// categories first; the placed labels never overlap; zooming in places more of them.
    func testLabelsSitWhereTheCategoriesAre() throws {
        let chromium = try Chromium.find()
        let (ds, _, url, folder) = try writtenPage(users: 3)
        let file = folder + "/explore.html"
        var html = try String(contentsOfFile: file, encoding: .utf8)
        let open = "<script id=\"re4-data\" type=\"application/json\">"
        let a = try XCTUnwrap(html.range(of: open)), b = try XCTUnwrap(html.range(of: "</script>", range: a.upperBound..<html.endIndex))
        var data = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(html[a.upperBound..<b.lowerBound].utf8)) as? [String: Any])
        let names = Array(Set((1...ds.itemCount).compactMap { ds.itemCategories[$0].first })).sorted()
        var centre: [String: (Double, Double)] = [:]
        for (c, g) in names.enumerated() { let t = 2 * Double.pi * Double(c) / Double(names.count); centre[g] = (10 * cos(t), 10 * sin(t)) }
        var rng = SeededRandom(seed: 4)
        var x = [Float](repeating: .nan, count: ds.itemCount + 1), y = x
        for i in 1...ds.itemCount {
            let (cx, cy) = ds.itemCategories[i].first.map { centre[$0]! } ?? (0, 0)
            x[i] = Float(cx + rng.normal()); y[i] = Float(cy + rng.normal())
        }
        func b64(_ v: [Float]) -> String { v.map(\.bitPattern.littleEndian).withUnsafeBytes { Data($0).base64EncodedString() } }
        data["maps"] = (data["maps"] as! [[String: Any]]).map { m in var m = m; m["x"] = b64(x); m["y"] = b64(y); return m }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: data), as: UTF8.self).replacingOccurrences(of: "<", with: "\\u003c")
        html.replaceSubrange(a.upperBound..<b.lowerBound, with: json)
        try html.write(toFile: file, atomically: true, encoding: .utf8)
        let t = try Chromium.selfTest(try chromium.run(url + "#selftest", mode: ["--dump-dom"]).dom)
        XCTAssertEqual(t["labelCandidates"] as? [Int], [names.count, names.count])
        let places = try XCTUnwrap(t["labelPlaces"] as? [[Any]])
        var sizes: [String: Int] = [:]
        for i in 1...ds.itemCount { if let g = ds.itemCategories[i].first { sizes[g, default: 0] += 1 } }
        XCTAssertEqual(places.map { sizes[$0[0] as! String]! }, places.map { sizes[$0[0] as! String]! }.sorted(by: >))
        for p in places {
            let g = p[0] as! String, (cx, cy) = centre[g]!
            XCTAssertLessThan(hypot((p[1] as! Double) - cx, (p[2] as! Double) - cy), 3, "\(g)'s label near its centre")
        }
        let placed = try XCTUnwrap(t["labels"] as? [Int])
        XCTAssertTrue(placed.allSatisfy { $0 >= 1 && $0 <= names.count }, "\(placed)")
        XCTAssertEqual(t["labelsOverlap"] as? Bool, false)
        XCTAssertGreaterThanOrEqual(t["labelsZoomed"] as? Int ?? 0, 1)
        XCTAssertEqual(t["labelsZoomedOverlap"] as? Bool, false)
    }

    /// Interests across training: earlier checkpoints' interests placed on the last one's map
    /// (as Swift places them here directly); the slider shows each epoch's stars and each
    /// interest's path.
    func testTheEpochSliderMovesTheStarsThroughTraining() throws {
        let chromium = try Chromium.find()
        let (dir, opened) = try models()
        let ds = opened.dataset, m = opened.models[1]
        let earlier = [3, 4].map { seed -> MultiInterestModel in
            var c = m.config; c.items = ds.itemCount
            return MultiInterestModel.initial(config: c, seed: UInt64(seed), embeddingStd: 0.3)
        }
        let users = sampleUsers(ds, count: 4, seed: 2)
        let r = request(ds, dir: dir, users: users)
        let page = try Explorer.run(panels: [Panel(model: m, label: "epoch 3", checkpoint: dir + "/re4/best.safetensors")], dataset: ds, request: r,
                                      context: context, epochs: [Panel(model: earlier[0], label: "epoch 1"), Panel(model: earlier[1], label: "epoch 2")])
        let folder = makeTempDir()
        try page.html.write(toFile: folder + "/explore.html", atomically: true, encoding: .utf8)
        let user = ds.userIDs[users[2]]
        let t = try Chromium.selfTest(try chromium.run(URL(fileURLWithPath: folder + "/explore.html").absoluteString + "#selftest&selftest-user=\(user)", mode: ["--dump-dom"]).dom)
        XCTAssertEqual(t["epochLabels"] as? [String], ["epoch 1", "epoch 2", "epoch 3"])
        XCTAssertEqual(t["epochShown"] as? String, "epoch 1")
        let K = m.config.interests
        XCTAssertEqual(t["trajectories"] as? Int, K)
        // Swift's own placements of the first epoch's and the last model's interests, for that user.
        let map = try GalleryMap.make(model: m, checkpoint: dir + "/re4/best.safetensors", options: r.map.tsneOptions(context), sample: ds.itemCount)
        func placed(_ model: MultiInterestModel) throws -> [[Double]] {
            let ui = UserInterests(model: model, dataset: ds, users: users, threads: context.threads)
            let p = try InterestProjection.placeInterests(ui, model: model, map: map, space: r.map.space, placeBy: r.map.placeBy,
                                                          placement: r.map.placementOptions(context))
            return (0..<K).map { k in [p[2 * (2 * K + k)], p[2 * (2 * K + k) + 1]] }
        }
        func close(_ got: Any?, _ want: [[Double]], _ what: String) {
            let g = got as? [[Double]] ?? []
            XCTAssertEqual(g.count, want.count, what)
            for (a, b) in zip(g.joined(), want.joined()) { XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(b)), what) }
        }
        close(t["epochFirst"], try placed(earlier[0]), "epoch 1's stars")
        close(t["epochLast"], try placed(m), "the last epoch's stars")
        XCTAssertNotEqual((t["epochFirst"] as? [[Double]])?.first, (t["epochLast"] as? [[Double]])?.first, "the stars moved")
    }

    /// Level of detail: while a gesture runs only the first LOD items of a fixed shuffled order are
    /// drawn (here LOD = 300 through the address), every item again once it ends; 60 timed frames.
    func testGesturesDrawASampleAndTheEndDrawsEverything() throws {
        let chromium = try Chromium.find()
        let (ds, _, url, _) = try writtenPage(users: 2)
        let full = try Chromium.selfTest(try chromium.run(url + "#selftest", mode: ["--dump-dom"]).dom)
        XCTAssertEqual(full["gestureFrames"] as? Int, 60)
        XCTAssertEqual(full["lodDuringGesture"] as? Bool, false, "\(ds.itemCount) items are under the default 120,000")
        let t = try Chromium.selfTest(try chromium.run(url + "#selftest&lod=300", mode: ["--dump-dom"]).dom)
        XCTAssertEqual(t["lod"] as? Int, 300)
        XCTAssertEqual(t["lodDuringGesture"] as? Bool, true)
        // Above LOD items a gesture's frames move and scale the last full picture: zooming in
        // uncovers nothing, so no item is drawn, and the zoomed picture still covers the view
        // through the drag that follows.
        XCTAssertEqual(t["snapshotDuringZoom"] as? Bool, true)
        XCTAssertEqual(t["drawnDuringGesture"] as? Int, 0)
        XCTAssertEqual(t["snapshotDuringDrag"] as? Bool, true)
        XCTAssertEqual(t["stripItemsDuringDrag"] as? Int, 0)
        XCTAssertEqual(t["lodAfterGesture"] as? Bool, false)
        XCTAssertGreaterThan(t["drawnAfterGesture"] as? Int ?? 0, 0, "the full picture once the drag ends")
        // A drag from the fitted view uncovers strips at its edges: the items there are drawn, and
        // where the moved picture covers the view it is the full redraw, pixel for pixel.
        XCTAssertEqual(t["panFromSnapshot"] as? Bool, true)
        let strips = t["panStripItems"] as? Int ?? -1
        XCTAssertTrue(strips > 0 && strips < ds.itemCount, "\(strips)")
        XCTAssertEqual(t["panSnapshotDiff"] as? Int, 0)
        XCTAssertEqual(t["panAfterFromSnapshot"] as? Bool, false)
        XCTAssertEqual(t["drawnAfterReset"] as? [Int], [ds.itemCount, ds.itemCount])
    }

    /// Positions travel as 16-bit steps of the map's extent: decoded, within one step of the t-SNE's.
    func testQuantisedPositionsStayWithinAStep() throws {
        let (dir, opened) = try models()
        let ds = opened.dataset
        let map = try GalleryMap.make(model: opened.models[0], checkpoint: dir + "/base/best.safetensors", options: request(ds, dir: dir, users: []).map.tsneOptions(context), sample: ds.itemCount)
        let q = Explorer.quantized(map, items: ds.itemCount)
        let (x0, x1, y0, y1) = (q.extent[0], q.extent[1], q.extent[2], q.extent[3])
        XCTAssertEqual(q.x[0], Explorer.absent, "row 0 is not an item")
        for (t, it) in map.ids.enumerated() {
            let x = x0 + Double(q.x[Int(it)]) * (x1 - x0) / 65534, y = y0 + Double(q.y[Int(it)]) * (y1 - y0) / 65534
            XCTAssertEqual(x, map.y[2 * t], accuracy: (x1 - x0) / 65534)
            XCTAssertEqual(y, map.y[2 * t + 1], accuracy: (y1 - y0) / 65534)
        }
        XCTAssertEqual(q.x.filter { $0 == 0 }.count >= 1 && q.x.contains(65534), true, "the extent's ends are the first and last step")
    }

    /// The network check can fail: a page that loads an image over http is caught by the proxy.
    func testTheNetworkCheckCatchesARequest() throws {
        let chromium = try Chromium.find()
        let html = makeTempDir() + "/leaky.html"
        try "<!DOCTYPE html><html><body><img src=\"http://example.invalid/pixel.png\"><p>leaky</p></body></html>".write(toFile: html, atomically: true, encoding: .utf8)
        let r = try chromium.run(URL(fileURLWithPath: html).absoluteString, mode: ["--dump-dom"])
        XCTAssertTrue(r.dom.contains("leaky"))
        XCTAssertEqual(r.pageRequests.compactMap(Chromium.host(of:)).first, "example.invalid", "\(r.requests)")
    }

    /// What the browser fetches on its own (on about:blank) is all in `Chromium.ownHosts`, which the check leaves out.
    func testTheBrowsersOwnTrafficIsKnown() throws {
        let chromium = try Chromium.find()
        let r = try chromium.run("about:blank", mode: ["--dump-dom"])
        XCTAssertEqual(r.pageRequests, [], "Chromium contacted a host not in Chromium.ownHosts")
        XCTAssertEqual(Chromium.host(of: "CONNECT accounts.google.com:443 HTTP/1.1"), "accounts.google.com")
        XCTAssertEqual(Chromium.host(of: "GET http://example.invalid/pixel.png HTTP/1.1"), "example.invalid")
    }

    /// A screenshot with a user chosen: the picture a README shows, with its stars in the interests' colours.
    func testScreenshotShowsAUsersStars() throws {
        let chromium = try Chromium.find()
        let (ds, users, page, tmp) = try writtenPage(users: 4)
        let png = tmp + "/shot.png"
        _ = try chromium.run(page + "#user=\(ds.userIDs[users[0]])", mode: ["--screenshot=\(png)"], window: (1200, 700))
        let img = try PixelImage.read(png: png)
        XCTAssertEqual(img.width, 1200); XCTAssertEqual(img.height, 700)
        // Pixels of interest 1's colour (#1f77b4, stored B, G, R, A) are there: its star and rings.
        var blue = 0
        for p in stride(from: 0, to: img.bytes.count, by: 4) where abs(Int(img.bytes[p]) - 0xb4) < 6 && abs(Int(img.bytes[p + 1]) - 0x77) < 6 && abs(Int(img.bytes[p + 2]) - 0x1f) < 6 { blue += 1 }
        XCTAssertGreaterThan(blue, 50)
    }
}
