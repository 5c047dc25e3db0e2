import Foundation
import XCTest
import TestSupport
@testable import Re4Viz
@testable import Re4Core
import Plot

/// `re4-viz gallery` on two tiny planted galleries trained here: the paired
/// means are the runs' logged test metrics at their best epochs.
final class GalleryStudyTests: XCTestCase {
    func testTwoGalleriesPairedAgainstTheirLogs() throws {
        let root = makeTempDir("gallery")
        for items in [1_000, 2_000] {
            var s = SyntheticSpec(); s.users = 60; s.items = items; s.categories = 5; s.maxInterests = 2
            s.minLength = 12; s.maxLength = 30; s.fixedUsers = true
            try Synthetic.write(s, to: root + "/synth-\(items)")
            for (variant, base) in [("base", true), ("re4", false)] {
                var c = ModelConfig(); c.interests = 2; c.dim = 8; c.maxLength = 6; c.hidden = 8
                if base { c.lambdaAtt = 0; c.lambdaCt = 0; c.lambdaCs = 0 }
                var o = TrainingOptions(); o.epochs = 2; o.batchSize = 32; o.negatives = .uniform(count: 20); o.seed = 1; o.threads = 1
                try TrainingRun.run(source: DataSource(data: root + "/synth-\(items)"), model: c, options: o,
                                    out: root + "/g\(items)-\(variant)-s1", resume: false, stopOnSignals: false)
            }
        }
        let log = LineLog()
        let g = try GalleryStudy.run(runs: root, prefixes: ["g2000", "g1000"], resamples: 200, context: AnalysisContext(threads: 1, progress: { log.append($0) }))
        let lines = log.lines
        XCTAssertEqual(g.map(\.prefix), ["g1000", "g2000"], "sorted by gallery size")
        XCTAssertEqual(lines.count, 2)
        for x in g {
            XCTAssertEqual(x.paired.seeds, [1])
            let runs = try Reproduction.discover(in: root, prefix: x.prefix)
            let base = runs.first { $0.variant == "base" }!.best.test, re4 = runs.first { $0.variant == "re4" }!.best.test
            for m in GalleryStudy.metrics {
                let r = try XCTUnwrap(x.paired.row(m))
                XCTAssertEqual(r.meanA, base[m]!, accuracy: 1e-6, "\(x.prefix) \(m)")
                XCTAssertEqual(r.meanB, re4[m]!, accuracy: 1e-6, "\(x.prefix) \(m)")
                XCTAssertEqual(r.difference, r.meanB - r.meanA, accuracy: 1e-9)
            }
        }
        let fig = GalleryStudy.figure(g, title: "t", dpi: 40)
        XCTAssertEqual(fig.axes.count, 3)
        XCTAssertTrue(fig.axes.allSatisfy { $0.xScale == .log })
        try fig.save(root + "/gallery.png")
        let md = GalleryStudy.markdown(g, title: "t")
        XCTAssertEqual(md.split(separator: "\n").filter { $0.hasPrefix("| g1000 |") || $0.hasPrefix("| g2000 |") }.count, 2 * GalleryStudy.metrics.count)
        XCTAssertThrowsError(try GalleryStudy.run(runs: root, prefixes: ["nothing"], context: AnalysisContext(threads: 1))) {
            XCTAssertTrue($0.localizedDescription.contains("no runs named nothing-"), $0.localizedDescription)
        }
    }
}
