import Foundation
import XCTest
import TestSupport
@testable import Re4Viz
@testable import Re4Core

/// Runs kept without checkpoints (`RunArchive`, `re4 archive`): what is kept,
/// what is refused, and that the tables made from the archive are the ones
/// made from the runs.
final class ArchiveTests: XCTestCase {
    /// Trains `<prefix>-<variant>-s1` for two epochs on the planted CSV.
    func train(_ root: String, _ variant: String, request: DataRequest, ds: Dataset, perUserLog: Bool) throws -> String {
        var c = ModelConfig(); c.interests = 2; c.dim = 8; c.maxLength = 6; c.hidden = 8
        if variant == "base" { c.lambdaAtt = 0; c.lambdaCt = 0; c.lambdaCs = 0 }
        var o = TrainingOptions()
        o.epochs = 2; o.batchSize = 32; o.negatives = .uniform(count: 10); o.seed = 5; o.threads = 1; o.perUserLog = perUserLog
        let out = root + "/p-\(variant)-s1"
        var t = try Trainer(dataset: ds, source: request.resolve(over: nil)!, config: c, options: o, out: out)
        try t.run()
        return out
    }

    func testAnArchiveKeepsTheBestEpochsUsersAndGivesTheSameTables() throws {
        let root = makeTempDir("archive")
        let (ds, request) = try plantedCSV(in: root)
        let runs = root + "/runs", archive = root + "/archive"
        for d in [runs, archive] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        let base = try train(runs, "base", request: request, ds: ds, perUserLog: true)
        let re4 = try train(runs, "re4", request: request, ds: ds, perUserLog: false)
        var lines: [String] = []
        for r in [base, re4] { _ = try RunArchive.keep(run: r, into: archive) { lines.append($0) } }
        XCTAssertTrue(lines[0].contains("per-user file copied") && lines[1].contains("evaluating"), "\(lines)")

        // Config, log and one per-user file of the best epoch; no checkpoint.
        for r in [base, re4] {
            let name = URL(fileURLWithPath: r).lastPathComponent
            let best = BestEpoch.best(try RunFolder(r).readLog())!.epoch
            let kept = archive + "/" + name
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: kept).sorted(), ["config.json", "log.jsonl", "per-user"])
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: kept + "/per-user"), [String(format: "epoch-%03d.csv", best)])
            XCTAssertEqual(FileManager.default.contents(atPath: kept + "/log.jsonl"), FileManager.default.contents(atPath: r + "/log.jsonl"))
            // The kept metrics are the best checkpoint's, user by user, exactly.
            let model = try Checkpoint.load(path: RunFolder(r).best).0
            let want = Reproduction.perUserTest(model: model, dataset: ds, threads: 1)
            let got = try Reproduction.perUserTest(file: RunFolder(kept).perUserLog(best))
            XCTAssertEqual(Set(got.keys), Set(want.keys))
            XCTAssertEqual(got.count, ds.users(in: .test).count)
            XCTAssertEqual(got, want)
        }
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: archive).contains { $0.hasPrefix(".") }, "no staging folder left")

        // The figures from the archive alone: the tables, Figure 3 and the ablation; nothing that needs a model.
        let empty = root + "/none", outA = root + "/outA", outR = root + "/outR"
        for d in [empty, outA, outR] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        var oa = FigureSet.FigureOptions(runs: empty, prefix: "p", name: "p", dataTitle: "Planted", out: outA)
        oa.archive = archive; oa.dpi = 40; oa.users = 2
        var logA: [String] = []
        let filesA = try FigureSet.make(oa, data: DataRequest()) { logA.append($0) }
        XCTAssertEqual(Set(filesA.map { URL(fileURLWithPath: $0).lastPathComponent }), ["results.md", "fig3-curves-p.png", "ablation-p.png"])
        XCTAssertTrue(logA.contains("without checkpoints (tables and curves only): p-base-s1, p-re4-s1"), "\(logA)")
        var or = oa; or.runs = runs; or.archive = nil; or.out = outR
        let filesR = try FigureSet.make(or, data: request) { _ in }
        XCTAssertEqual(filesR.count, 9, "with the checkpoints: Figure 4, the item map and distinctness too")
        let a = try String(contentsOfFile: outA + "/results.md", encoding: .utf8), r = try String(contentsOfFile: outR + "/results.md", encoding: .utf8)
        // The means come from the logs, the paired tests from the per-user files, which hold the values exactly.
        XCTAssertEqual(a, r)
        XCTAssertTrue(a.contains("### Re4 against Base (seeds 1)"), a)
        XCTAssertEqual(FileManager.default.contents(atPath: outA + "/fig3-curves-p.png"), FileManager.default.contents(atPath: outR + "/fig3-curves-p.png"))
        // The paired differences are the same numbers.
        let runsR = try Reproduction.discover(in: runs, prefix: "p"), runsA = try Reproduction.discover(in: empty, archive: archive, prefix: "p")
        XCTAssertTrue(runsR.allSatisfy(\.hasCheckpoint) && !runsA.contains(where: \.hasCheckpoint))
        let pr = try Reproduction.pairedComparisons(runsR, perUser: { r in
            Reproduction.perUserTest(model: try Checkpoint.load(path: r.checkpoint).0, dataset: ds, threads: 1)
        }, resamples: 200)
        let pa = try Reproduction.pairedComparisons(runsA, perUser: { try Reproduction.perUserTest(file: $0.bestPerUser!) }, resamples: 200)
        XCTAssertEqual(pr[0].row("recall@50")!.difference, pa[0].row("recall@50")!.difference)
        XCTAssertEqual(pr[0].row("recall@50")!.holm, pa[0].row("recall@50")!.holm)
    }

    func testUnfinishedMissingAndAlreadyArchivedRunsAreRefusedAndNothingIsLeftBehind() throws {
        let root = makeTempDir("archive-refusals")
        let (ds, request) = try plantedCSV(in: root)
        let runs = root + "/runs", archive = root + "/archive"
        for d in [runs, archive] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        let done = try train(runs, "base", request: request, ds: ds, perUserLog: false)
        let fm = FileManager.default
        // Unfinished: the same run with its second epoch's line taken out of the log.
        let going = runs + "/p-re4-s1"
        try fm.copyItem(atPath: done, toPath: going)
        let log = try String(contentsOfFile: going + "/log.jsonl", encoding: .utf8).split(separator: "\n")
        write(log[0] + "\n", going + "/log.jsonl")
        assertThrowsMessage([going, "cannot archive", "epoch 1 of 2", "--resume"]) { try RunArchive.keep(run: going, into: archive) }
        // No config: not a run folder.
        let bare = runs + "/bare"
        try fm.createDirectory(atPath: bare, withIntermediateDirectories: true)
        assertThrowsMessage([bare, "no config.json"]) { try RunArchive.keep(run: bare, into: archive) }
        // Neither a best checkpoint nor a per-user file: refused, and no staging folder is left.
        let lost = runs + "/p-noct-s1"
        try fm.copyItem(atPath: done, toPath: lost)
        try fm.removeItem(atPath: lost + "/best.safetensors")
        assertThrowsMessage([lost, "neither best.safetensors"]) { try RunArchive.keep(run: lost, into: archive) }
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: archive), [])
        // A missing archive folder, then an archive that exists: never replaced.
        assertThrowsMessage([root + "/nowhere"]) { try RunArchive.keep(run: done, into: root + "/nowhere") }
        let kept = try RunArchive.keep(run: done, into: archive)
        write("mine\n", kept + "/note.txt")
        assertThrowsMessage([kept, "exists", "remove it first"]) { try RunArchive.keep(run: done, into: archive) }
        XCTAssertEqual(try String(contentsOfFile: kept + "/note.txt", encoding: .utf8), "mine\n")
        // No runs folder at all (a clone of the repository): the archive alone; a missing archive is an error.
        var said: [String] = []
        XCTAssertEqual(try Reproduction.discover(in: root + "/no-runs", archive: archive, prefix: "p") { said.append($0) }.map(\.folder), [kept])
        XCTAssertEqual(said, [root + "/no-runs: no such folder; the archive's runs only"])
        assertThrowsMessage([root + "/no-archive", "cannot list"]) { try Reproduction.discover(in: runs, archive: root + "/no-archive", prefix: "p") }
        // A run present in both folders is taken from the runs folder.
        let found = try Reproduction.discover(in: runs, archive: archive, prefix: "p")
        XCTAssertEqual(found.filter { $0.variant == "base" }.map(\.folder), [done])
    }
}
