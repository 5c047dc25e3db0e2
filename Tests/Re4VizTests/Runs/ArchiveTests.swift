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
        let logA = LineLog()
        let filesA = try FigureSet.run(oa, data: DataRequest(), context: AnalysisContext(threads: 2, progress: { logA.append($0) }))
        XCTAssertEqual(Set(filesA.map { URL(fileURLWithPath: $0).lastPathComponent }), ["results.md", "fig3-curves-p.png", "ablation-p.png"])
        XCTAssertTrue(logA.lines.contains("without checkpoints (tables and curves only): p-base-s1, p-re4-s1"), "\(logA.lines)")
        var or = oa; or.runs = runs; or.archive = nil; or.out = outR
        let filesR = try FigureSet.run(or, data: request, context: AnalysisContext(threads: 2))
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

    /// `--checkpoint`: the best model kept too, so the archive alone gives every figure, the same
    /// bytes as the runs; the model is added to an archive of the same run only.
    func testWithTheCheckpointTheArchiveGivesEveryFigureAndTheModelIsAddedToTheSameRunOnly() throws {
        let root = makeTempDir("archive-checkpoint")
        let (ds, request) = try plantedCSV(in: root)
        let runs = root + "/runs", archive = root + "/archive", other = root + "/other"
        let fm = FileManager.default
        for d in [runs, archive, other] { try fm.createDirectory(atPath: d, withIntermediateDirectories: true) }
        let base = try train(runs, "base", request: request, ds: ds, perUserLog: false)
        let re4 = try train(runs, "re4", request: request, ds: ds, perUserLog: true)
        // Base kept without its model first (as a grid did), then --checkpoint adds it.
        let keptBase = try RunArchive.keep(run: base, into: archive)
        var said: [String] = []
        XCTAssertEqual(try RunArchive.keep(run: base, into: archive, checkpoint: true) { said.append($0) }, keptBase)
        XCTAssertEqual(said, ["p-base-s1: the archive kept before is the same run; its best.safetensors added"])
        XCTAssertEqual(fm.contents(atPath: keptBase + "/best.safetensors"), fm.contents(atPath: base + "/best.safetensors"))
        assertThrowsMessage([base, "exists", "remove it first"]) { try RunArchive.keep(run: base, into: archive, checkpoint: true) }
        let keptRe4 = try RunArchive.keep(run: re4, into: archive, checkpoint: true)
        for k in [keptBase, keptRe4] {
            XCTAssertEqual(try fm.contentsOfDirectory(atPath: k).sorted(), ["best.safetensors", "config.json", "log.jsonl", "per-user"])
        }
        XCTAssertFalse(try fm.contentsOfDirectory(atPath: keptBase).contains { $0.hasPrefix(".") }, "no temporary file left")

        // An archive of another run under the same name (its log differs) gets nothing.
        let stranger = try RunArchive.keep(run: base, into: other)
        write("{\"epoch\": 0}\n", stranger + "/log.jsonl")
        assertThrowsMessage([base, "log.jsonl differs", "remove it first"]) { try RunArchive.keep(run: base, into: other, checkpoint: true) }
        XCTAssertFalse(fm.fileExists(atPath: stranger + "/best.safetensors"))
        // The same run trained again elsewhere: other timings and sessions, the same epochs. Added.
        try fm.removeItem(atPath: stranger)
        let again = try RunArchive.keep(run: base, into: other)
        let timed = try String(contentsOfFile: again + "/log.jsonl", encoding: .utf8)
            .replacingOccurrences(of: "\"seconds\":", with: "\"seconds\":1")
        XCTAssertNotEqual(timed, try String(contentsOfFile: base + "/log.jsonl", encoding: .utf8))
        write(timed, again + "/log.jsonl")
        let config = try String(contentsOfFile: again + "/config.json", encoding: .utf8)
        write(config.replacingOccurrences(of: "\"threads\" : 1", with: "\"threads\" : 7"), again + "/config.json")
        XCTAssertNotEqual(fm.contents(atPath: again + "/config.json"), fm.contents(atPath: base + "/config.json"))
        XCTAssertEqual(try RunArchive.keep(run: base, into: other, checkpoint: true), again)
        XCTAssertTrue(fm.fileExists(atPath: again + "/best.safetensors"))
        // One metric of one epoch changed: another run.
        try fm.removeItem(atPath: again)
        let changed = try RunArchive.keep(run: base, into: other)
        let log = try String(contentsOfFile: changed + "/log.jsonl", encoding: .utf8)
        write(log.replacingOccurrences(of: "\"test_recall@50\":", with: "\"test_recall@50\":9"), changed + "/log.jsonl")
        assertThrowsMessage([base, "log.jsonl differs"]) { try RunArchive.keep(run: base, into: other, checkpoint: true) }
        XCTAssertFalse(fm.fileExists(atPath: changed + "/best.safetensors"))
        // --checkpoint on a run that has none is refused before anything is written.
        let bare = runs + "/p-noct-s1"
        try fm.copyItem(atPath: re4, toPath: bare)
        try fm.removeItem(atPath: bare + "/best.safetensors")
        assertThrowsMessage([bare, "no best.safetensors to keep"]) { try RunArchive.keep(run: bare, into: archive, checkpoint: true) }
        XCTAssertFalse(fm.fileExists(atPath: archive + "/p-noct-s1"))
        try fm.removeItem(atPath: bare)

        // The archive alone (no runs folder) and the runs give the same files, byte for byte.
        let outA = root + "/outA", outR = root + "/outR"
        for d in [outA, outR] { try fm.createDirectory(atPath: d, withIntermediateDirectories: true) }
        var oa = FigureSet.FigureOptions(runs: root + "/no-runs", prefix: "p", name: "p", dataTitle: "Planted", out: outA)
        oa.archive = archive; oa.dpi = 40; oa.users = 2
        let filesA = try FigureSet.run(oa, data: request, context: AnalysisContext(threads: 2))
        var or = oa; or.runs = runs; or.archive = nil; or.out = outR
        let filesR = try FigureSet.run(or, data: request, context: AnalysisContext(threads: 2))
        XCTAssertEqual(filesA.count, 9, "Figure 4, the item map and distinctness from the archive: \(filesA)")
        XCTAssertEqual(filesA.map { URL(fileURLWithPath: $0).lastPathComponent }, filesR.map { URL(fileURLWithPath: $0).lastPathComponent })
        for f in filesR.map({ URL(fileURLWithPath: $0).lastPathComponent }) {
            XCTAssertEqual(fm.contents(atPath: outA + "/" + f), fm.contents(atPath: outR + "/" + f), f)
        }
    }
}
