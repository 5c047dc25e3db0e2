import Foundation
import XCTest
import TestSupport
@testable import Re4Core
@testable import Re4Viz
import TSNE

/// Figure 4 on an item map: the gallery's t-SNE, cached; two maps aligned by
/// Procrustes; interests placed on it.
final class GalleryMapTests: XCTestCase {
    func testProcrustesUndoesARotationAReflectionAndAShift() {
        var rng = SeededRandom(seed: 4)
        let ids = (1...50).map { Int32($0) }
        let a = GalleryMap(ids: ids, y: (0..<100).map { _ in rng.normal() * 3 })
        for (t, reflect) in [(0.7, false), (2.1, true)] {
            var b = a
            for j in 0..<50 {
                let x = a.y[2 * j]; var y = a.y[2 * j + 1]
                if reflect { y = -y }
                (b.y[2 * j], b.y[2 * j + 1]) = (x * cos(t) - y * sin(t) + 5, x * sin(t) + y * cos(t) - 2)
            }
            let back = b.applying(b.alignment(onto: a))
            for (u, v) in zip(back.y, a.y) { XCTAssertEqual(u, v, accuracy: 1e-9, "θ \(t), reflected \(reflect)") }
        }
        // Only shared items count: a map of other items leaves it as it is.
        XCTAssertEqual(a.alignment(onto: GalleryMap(ids: [900, 901], y: [0, 0, 1, 1])), .identity)
    }

    func testTheMapIsCachedInTheRunFolderAndTheLayoutPlacesEveryInterest() throws {
        let dir = makeTempDir()
        var s = SyntheticSpec(); s.users = 300; s.items = 1_000; s.categories = 6; s.maxInterests = 2; s.minLength = 20; s.maxLength = 40; s.seed = 8
        try Synthetic.write(s, to: dir + "/data")
        let src = DataSource(data: dir + "/data")
        var o = TrainingOptions(); o.epochs = 1; o.batchSize = 128; o.threads = 2; o.negatives = .uniform(count: 50)
        var c = ModelConfig(); c.interests = 2; c.dim = 8; c.hidden = 8
        try TrainingRun.run(source: src, model: c, options: o, out: dir + "/r", resume: false, stopOnSignals: false)
        let opened = try RunData.open(checkpoints: [dir + "/r/best.safetensors", dir + "/r/last.safetensors"], request: DataRequest(), allowMismatch: false)
        var t = TSNEOptions(); t.threads = 2; t.iterations = 200; t.earlyIterations = 100
        let m1 = try GalleryMap.make(model: opened.models[0], checkpoint: dir + "/r/best.safetensors", options: t)
        let cached = try FileManager.default.contentsOfDirectory(atPath: dir + "/r").filter { $0.hasPrefix("item-map-") }
        XCTAssertEqual(cached.count, 1)
        XCTAssertEqual(try GalleryMap.make(model: opened.models[0], checkpoint: dir + "/r/best.safetensors", options: t), m1, "read back exactly")
        t.seed = 7
        _ = try GalleryMap.make(model: opened.models[0], checkpoint: dir + "/r/best.safetensors", options: t)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/r").filter { $0.hasPrefix("item-map-") }.count, 2, "other settings, another map")
        t.seed = 42
        // Every setting enters the key, derived from the options value (it missed
        // --initialization, --theta and --learning-rate when the key was a hand-kept list).
        let m0 = opened.models[0], count = opened.dataset.itemCount
        let key = GalleryMap.cacheKey(model: m0, options: t, count: count)
        var heavy = t; heavy.dof = 0.5
        var exag = t; exag.exaggeration = 2
        var ini = t; ini.initialization = ini.initialization == .pca ? .random : .pca
        var theta = t; theta.theta = 0.8
        var lr = t; lr.learningRate = 123
        let keys = [heavy, exag, ini, theta, lr].map { GalleryMap.cacheKey(model: m0, options: $0, count: count) }
        XCTAssertEqual(Set([key] + keys).count, 6, "each setting names its own map")
        XCTAssertEqual(GalleryMap.cacheKey(model: m0, options: t, count: count), key, "the same settings, the same key")
        // Any model's source caches: outside a run folder, under $RE4_CACHE/maps.
        XCTAssertEqual(GalleryMap.cacheFolder(for: dir + "/r/best.safetensors"), dir + "/r")
        XCTAssertTrue(GalleryMap.cacheFolder(for: dir + "/model.pt")!.hasSuffix("/maps"))
        let users = Array(opened.dataset.users(in: .test).prefix(3))
        var req = InterestMap.Request(users: users)
        req.layout = .map; req.map = MapSettings(tsne: t); req.dpi = 40
        let panels = zip(opened.models, ["best", "last"]).map { Panel(model: $0, label: $1, checkpoint: dir + "/r/\($1).safetensors") }
        let context = AnalysisContext(threads: t.threads, seed: t.seed)
        for placeBy in InterestProjection.PlaceBy.allCases {
            req.map.placeBy = placeBy
            let a = try InterestMap.run(panels: panels, dataset: opened.dataset, request: req, context: context)
            let stars = a.points.filter(\.isInterest)
            XCTAssertEqual(stars.count, 2 * users.count * 2, "K stars per user per panel")
            XCTAssertTrue(stars.allSatisfy { $0.x.isFinite && $0.y.isFinite })
            XCTAssertEqual(a.points.filter { $0.userIndex < 0 }.count, 2 * opened.dataset.itemCount, "the whole gallery on each map")
            let b = try InterestMap.run(panels: panels, dataset: opened.dataset, request: req, context: context)
            XCTAssertEqual(a.csv, b.csv, "same input, same placement")
        }
    }
}

/// The structure score says whether a map shows categories at all.
final class MapStructureTests: XCTestCase {
    func testClustersScoreHighAndShuffledPositionsScoreNearChance() throws {
        // 4 categories of 30 items; clustered: each at its own corner.
        var xy: [Double] = [], cats: [[String]] = []
        var rng = SeededRandom(seed: 3)
        for c in 0..<4 { for _ in 0..<30 {
            xy += [Double(c % 2) * 100 + rng.unitDouble(), Double(c / 2) * 100 + rng.unitDouble()]; cats.append(["c\(c)"])
        } }
        let s = try XCTUnwrap(MapStructure.score(xy: xy, categories: cats, k: 5))
        XCTAssertEqual(s.agreement, 1, accuracy: 1e-12, "every neighbour of the same corner")
        XCTAssertEqual(s.chance, 29.0 / 119.0, accuracy: 0.02, "random pairs share a category (30 − 1)/(120 − 1) of the time")
        XCTAssertFalse(s.nearChance)
        XCTAssertNil(MapStructure.warning(panel: "A", s))
        // The same items at random places: near chance, and said so.
        let shuffled = (0..<120).flatMap { _ in [rng.unitDouble(), rng.unitDouble()] }
        let r = try XCTUnwrap(MapStructure.score(xy: shuffled, categories: cats, k: 5))
        XCTAssertTrue(r.nearChance, r.text)
        XCTAssertTrue(MapStructure.warning(panel: "A", r)!.contains("no category structure"))
        XCTAssertNil(MapStructure.score(xy: [0, 0, 1, 1], categories: [["a"], ["a"]], k: 5), "too few items to score")
    }
}
