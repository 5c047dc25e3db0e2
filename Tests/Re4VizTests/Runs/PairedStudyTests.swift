import Foundation
import XCTest
import TestSupport
@testable import Re4Viz
@testable import Re4Core

/// `re4-viz paired` (`make paired`): the grid's per-user files found and paired
/// as `re4-viz compare --a … --b …` pairs them, the ablations only when every
/// seed has its file, and nothing written when no pair exists.
final class PairedStudyTests: XCTestCase {
    let header = "user,split,recall@20,ndcg@20,hitrate@20,ndcg_comirec@20,ndcg_re4@20,recall@50,ndcg@50,hitrate@50,ndcg_comirec@50,ndcg_re4@50\n"

    /// A finished run (two epochs, best 2) whose best epoch's per-user file gives every user `value` plus a per-user step.
    func run(_ root: String, _ name: String, value: Double?) throws {
        let d = root + "/" + name
        try FileManager.default.createDirectory(atPath: d + "/per-user", withIntermediateDirectories: true)
        var recs: [EpochRecord] = []
        for e in 1...2 {
            var l = LossBreakdown(); l.total = 5; l.rec = 5
            recs.append(EpochRecord(epoch: e, seconds: 1, examplesPerSecond: 10, loss: l, valid: ["recall@50": 0.1 * Double(e)], test: ["recall@50": 0.1]))
        }
        try EpochLog.write(recs, jsonl: d + "/log.jsonl", csv: d + "/log.csv")
        guard let value else { return }
        var csv = header
        for u in 0..<30 {
            let v = value + 0.01 * Double(u % 7)
            csv += "u\(u),test," + Array(repeating: String(v), count: 10).joined(separator: ",") + "\n"
        }
        write(csv, RunFolder(d).perUserLog(2))
    }

    func testPairsEverySeedLikeCompareAndSkipsAblationsWithoutEveryFile() throws {
        let root = makeTempDir("paired")
        for s in 1...2 {
            try run(root, "x-base-s\(s)", value: 0.10 + 0.01 * Double(s))
            try run(root, "x-re4-s\(s)", value: 0.14 + 0.01 * Double(s))
            try run(root, "x-noct-s\(s)", value: 0.12)
            try run(root, "x-noatt-s\(s)", value: 0.13)
        }
        try run(root, "x-nocs-s1", value: 0.11)
        try run(root, "x-nocs-s2", value: nil)     // no per-user file, no checkpoint
        var r = PairedStudy.Request(runs: root, archive: nil, prefix: "x", out: root + "/paired.md")
        r.ablationOut = root + "/ablation.md"; r.resamples = 500
        let w = try PairedStudy.run(r, context: AnalysisContext(threads: 1))
        XCTAssertEqual(w.files, [root + "/paired.md"])
        XCTAssertTrue(w.lines.contains { $0.contains("skipped") }, "\(w.lines)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/ablation.md"), "no ablation table from two of three seeds' files")
        // The same bytes as `re4-viz compare --a base-s1,base-s2 --b re4-s1,re4-s2 --labels Base,Re4`.
        let files = { (v: String) in (1...2).map { RunFolder(root + "/x-\(v)-s\($0)").perUserLog(2) } }
        let want = try Comparison.run(a: files("base"), bs: [files("re4")], labels: ["Base", "Re4"], metrics: PairedStudy.defaultMetrics,
                                          resamples: 500, seed: 42, split: "test")
        XCTAssertEqual(try String(contentsOfFile: root + "/paired.md", encoding: .utf8), Comparison.format(want, as: .markdown))
        // Re4 is 0.04 above Base for every user and seed: the table says so.
        XCTAssertEqual(want[0].rows.first { $0.metric == "recall@50" }!.difference, 0.04, accuracy: 1e-12)

        // With every seed's file, the ablations are written too.
        try run(root, "x-nocs-s2", value: 0.11)
        let w2 = try PairedStudy.run(r, context: AnalysisContext(threads: 1))
        XCTAssertEqual(w2.files, [root + "/paired.md", root + "/ablation.md"])
        let ablation = try String(contentsOfFile: root + "/ablation.md", encoding: .utf8)
        XCTAssertTrue(ablation.contains("Re4 w/o Re-contrast against Re4") || ablation.contains("Re4 w/o Re-contrast"), ablation)
    }

    func testNoPairIsOneClearErrorAndWritesNothing() throws {
        let root = makeTempDir("paired-none")
        try run(root, "x-base-s1", value: 0.1)
        try run(root, "x-re4-s2", value: 0.1)
        let r = PairedStudy.Request(runs: root, archive: nil, prefix: "x", out: root + "/paired.md")
        assertThrowsMessage(["no finished x-base/x-re4 seed pair", root]) { try PairedStudy.run(r, context: AnalysisContext(threads: 1)) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/paired.md"))
    }

    /// Runs trained here keep no per-user file: their best checkpoints are evaluated on
    /// the data read once, and the table equals `compare` over `re4 evaluate --per-user` files.
    func testRunsWithoutPerUserFilesAreEvaluatedFromTheirCheckpoints() throws {
        let root = makeTempDir("paired-eval")
        var s = SyntheticSpec(); s.users = 60; s.items = 1_000; s.categories = 4; s.maxInterests = 2; s.minLength = 12; s.maxLength = 30
        try Synthetic.write(s, to: root + "/synth")
        var want: [String: String] = [:]
        for (variant, base) in [("base", true), ("re4", false)] {
            var c = ModelConfig(); c.interests = 2; c.dim = 8; c.maxLength = 6; c.hidden = 8
            if base { c.lambdaAtt = 0; c.lambdaCt = 0; c.lambdaCs = 0 }
            var o = TrainingOptions(); o.epochs = 1; o.batchSize = 32; o.negatives = .uniform(count: 20); o.seed = 1; o.threads = 1
            try TrainingRun.run(source: DataSource(data: root + "/synth"), model: c, options: o, out: root + "/x-\(variant)-s1",
                                resume: false, stopOnSignals: false)
            let run = try RunData.open(checkpoints: [RunFolder(root + "/x-\(variant)-s1").best], request: DataRequest(), allowMismatch: false)
            want[variant] = root + "/\(variant).csv"
            write(Evaluator.perUserCSV(model: run.models[0], dataset: run.dataset, users: run.dataset.users(in: .test),
                                       cutoffs: RankingMetrics.cutoffs, threads: 1), want[variant]!)
        }
        var r = PairedStudy.Request(runs: root, archive: nil, prefix: "x", out: root + "/paired.md"); r.resamples = 300
        let log = LineLog()
        _ = try PairedStudy.run(r, context: AnalysisContext(threads: 1, progress: { log.append($0) }))
        XCTAssertEqual(log.lines.filter { $0.hasPrefix("evaluating") }.count, 2, "\(log.lines)")
        let expected = try Comparison.run(a: [want["base"]!], bs: [[want["re4"]!]], labels: ["Base", "Re4"], metrics: PairedStudy.defaultMetrics,
                                          resamples: 300, seed: 42, split: "test")
        XCTAssertEqual(try String(contentsOfFile: root + "/paired.md", encoding: .utf8), Comparison.format(expected, as: .markdown))
    }
}
