import Foundation
import XCTest
import TestSupport
@testable import Re4Viz
@testable import Re4Core

final class SweepTests: XCTestCase {
    /// A run folder with a config.json and a log whose validation Recall@50 per epoch is `valid`.
    func run(_ root: String, _ name: String, config: [String: String], valid: [Double]) throws -> String {
        let d = root + "/" + name
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]).write(to: URL(fileURLWithPath: d + "/config.json"))
        var recs: [EpochRecord] = []
        for (e, v) in valid.enumerated() {
            var l = LossBreakdown(); l.total = 5; l.rec = 5
            recs.append(EpochRecord(epoch: e + 1, seconds: 1, examplesPerSecond: 10, loss: l,
                                    valid: ["recall@50": v, "recall@20": v / 2, "ndcg@50": v / 4, "hitrate@50": 2 * v],
                                    test: ["recall@50": 0.999]))
        }
        try EpochLog.write(recs, jsonl: d + "/log.jsonl", csv: d + "/log.csv")
        return d
    }

    let re4: [String: String] = ["K": "4", "lambda_att": "0.001", "lambda_ct": "0.1", "lambda_cs": "0.1", "lr": "0.003",
                                 "seed": "1", "epochs": "30", "encoder": "re4"]

    func testSeedsAreAveragedVaryingSettingsBecomeColumnsAndTheBudgetHolds() throws {
        let root = makeTempDir("sweep")
        var base = re4; base["lambda_att"] = "0"; base["lambda_ct"] = "0"; base["lambda_cs"] = "0"
        var base2 = base; base2["seed"] = "2"
        var ct = re4; ct["lambda_ct"] = "0.01"; ct["epochs"] = "3"
        let folders = [
            try run(root, "b2", config: base2, valid: [0.10, 0.25, 0.20, 0.90]),  // budget 3: epoch 2, 0.25
            try run(root, "b1", config: base, valid: [0.10, 0.20, 0.30, 0.90]),   // budget 3: epoch 3, 0.30
            try run(root, "r1", config: re4, valid: [0.28, 0.20, 0.10]),          // epoch 1, 0.28
            try run(root, "c1", config: ct, valid: [0.20, 0.31, 0.31]),           // tie: the earlier epoch, 2
        ]
        let md = try Sweep.markdown(try Sweep.load(folders), budget: 3, title: "toy")
        // Only λ_att, λ_ct and λ_cs vary: they are the columns; K, lr and the encoder are "fixed".
        XCTAssertTrue(md.hasPrefix("| model | λ_att | λ_ct | λ_cs | seeds | best epochs | valid R@20 | valid R@50 |"), md)
        // Base: seeds 1 and 2 in one row; R@50 mean 0.275, sample std √(2·0.025²) = 0.0354.
        XCTAssertTrue(md.contains("| Base | 0 | 0 | 0 | 1, 2 | 3, 2 | 0.1375 ± 0.0177 | 0.2750 ± 0.0354 |"), md)
        // Re4 rows sorted by validation R@50: λ_ct 0.01 (0.31) above the default (0.28).
        let a = md.range(of: "| Re4 | 0.001 | 0.01 |")!, b = md.range(of: "| Re4 | 0.001 | 0.1 |")!
        XCTAssertLessThan(a.lowerBound, b.lowerBound, md)
        XCTAssertTrue(md.contains("| 1 | 2 | 0.1550 | 0.3100 | 0.0775 | 0.6200 |"), md)
        XCTAssertTrue(md.contains("Fixed across the sweep: encoder = re4, K = 4, lr = 0.003, τ = 0.02, negatives = 5000"), md)
        XCTAssertTrue(md.contains("Best Re4 setting on validation: λ_att = 0.001, λ_ct = 0.01, λ_cs = 0.1 (R@50 0.3100)."), md)
        XCTAssertFalse(md.contains("0.999"), "the test set is never shown")
        // --with-test adds the test columns at the same (validation-chosen) epochs.
        let reported = try Sweep.markdown(try Sweep.load(folders), budget: 3, title: "toy", withTest: true)
        XCTAssertTrue(reported.contains("| valid HR@50 | test R@50 | test NDCG@50 | test HR@50 |"), reported)
        XCTAssertTrue(reported.contains("0.9990"), reported)
        XCTAssertTrue(reported.contains("test users are shown only to report it"), reported)
        // A run shorter than the budget says so.
        let long = try Sweep.markdown(try Sweep.load(folders), budget: 4, title: "toy")
        XCTAssertTrue(long.contains("2 (run shorter than the budget)"), long)
        // One asked for more epochs than it has stopped early (patience).
        var early = re4; early["epochs"] = "30"; early["lambda_cs"] = "0.5"
        let e = try run(root, "e1", config: early, valid: [0.1, 0.3, 0.2])
        let withEarly = try Sweep.markdown(try Sweep.load(folders + [e]), budget: 4, title: "toy")
        XCTAssertTrue(withEarly.contains("| 2 (stopped early at 3) |"), withEarly)
    }

    func testMissingAndDamagedFilesAreNamed() throws {
        let root = makeTempDir("sweep")
        XCTAssertThrowsError(try Sweep.load([])) { XCTAssertTrue($0.localizedDescription.contains("no run folders")) }
        try FileManager.default.createDirectory(atPath: root + "/empty", withIntermediateDirectories: true)
        XCTAssertThrowsError(try Sweep.load([root + "/empty"])) {
            XCTAssertTrue($0.localizedDescription.contains("empty/config.json: missing"), $0.localizedDescription)
        }
        let good = try run(root, "good", config: re4, valid: [0.1])
        try "[1, 2".write(toFile: good + "/config.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Sweep.load([good])) { XCTAssertTrue($0.localizedDescription.contains("not a JSON object")) }
        try "{\"K\": [4]}".write(toFile: good + "/config.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Sweep.load([good])) { XCTAssertTrue($0.localizedDescription.contains("\"K\" is not a string or number")) }
        let nolog = try run(root, "nolog", config: re4, valid: [0.1])
        try FileManager.default.removeItem(atPath: nolog + "/log.jsonl")
        XCTAssertThrowsError(try Sweep.load([nolog])) { XCTAssertTrue($0.localizedDescription.contains("log.jsonl: missing")) }
        let nan = try run(root, "nan", config: re4, valid: [.nan])
        XCTAssertThrowsError(try Sweep.markdown(try Sweep.load([nan]), budget: 5, title: "t")) {
            XCTAssertTrue($0.localizedDescription.contains("no epoch ≤ 5 with a validation Recall@50"), $0.localizedDescription)
        }
    }
}
