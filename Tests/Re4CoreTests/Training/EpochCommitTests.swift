import Foundation
import XCTest
import TestSupport
@testable import Re4Core

/// An epoch commits whole: a kill between any two steps of the commit leaves a
/// folder that `--resume` turns into exactly the uninterrupted run; two
/// trainers never share a folder; stale temporaries are removed.
final class EpochCommitTests: XCTestCase {
    struct Killed: Error {}

    func options(epochs: Int = 3) -> TrainingOptions {
        var o = TrainingOptions()
        o.epochs = epochs; o.batchSize = 32; o.negatives = .uniform(count: 10); o.seed = 5; o.threads = 1
        o.keepEveryEpoch = true
        return o
    }

    func config() -> ModelConfig {
        var c = ModelConfig(); c.interests = 2; c.dim = 8; c.maxLength = 6; c.hidden = 8
        return c
    }

    /// Every file of the folder except the lock and the config (whose sessions differ).
    func contents(_ dir: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for f in try FileManager.default.contentsOfDirectory(atPath: dir) where f != RunLock.fileName && f != RunFolder.configName {
            out[f] = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + f))
        }
        // The logs hold wall times: compare their epochs and metrics instead.
        for f in [RunFolder.logJSONLName, RunFolder.logCSVName] { out[f] = nil }
        return out
    }

    func testAKillAtEveryCommitStepResumesToTheUninterruptedRun() throws {
        let ds = try syntheticDataset()
        let ref = makeTempDir("ref")
        var t = try Trainer(dataset: ds, source: syntheticSource, config: config(), options: options(), out: ref)
        try t.run()
        let want = try contents(ref), wantLog = try RunFolder(ref).readLog()
        for step in Trainer.CommitStep.allCases {
            let dir = makeTempDir("kill")
            var a = try Trainer(dataset: ds, source: syntheticSource, config: config(), options: options(), out: dir)
            a.afterCommitStep = { s, e in if s == step && e == 2 { throw Killed() } }
            XCTAssertThrowsError(try a.run())
            // What a reader finds now: the committed epoch is 1, or 2 once the resume state is in.
            let committed = try SafeTensors.read(path: RunFolder(dir).resumeState).metadata["epoch"]
            XCTAssertEqual(committed, step == .resumeState ? "2" : "1", "\(step)")
            var b = try Trainer(dataset: ds, source: syntheticSource, config: config(), options: options(), out: dir)
            try b.resume()
            try b.run()
            XCTAssertEqual(try contents(dir), want, "killed after \(step): the same files as the uninterrupted run")
            let log = try RunFolder(dir).readLog()
            XCTAssertEqual(log.map(\.epoch), [1, 2, 3], "\(step): no epoch lost or repeated in the log")
            XCTAssertEqual(log.map(\.valid), wantLog.map(\.valid), "\(step)")
        }
    }

    /// On a gallery much larger than a step's rows, only the rows a step wrote are
    /// zeroed afterwards; the run is byte for byte the one that zeroes everything.
    func testZeroingTheTouchedRowsGivesTheBytesOfZeroingEverything() throws {
        var rng = SeededRandom(seed: 9)
        var log = InteractionLog(source: "wide")
        for u in 0..<80 { for t in 0..<12 { log.append(user: "u\(u)", item: "i\(rng.below(3000))", time: Double(t)) } }
        let ds = try Dataset.build(name: "wide", log: log)
        XCTAssertGreaterThan(ds.itemCount, 2 * (16 * 6 + 16 + 50), "a step touches at most 16·6 + 16 + 50 rows: the row-wise path")
        var o = options(epochs: 2); o.batchSize = 16; o.negatives = .uniform(count: 50); o.keepEveryEpoch = false
        for flows in [false, true] {
            var c = config()
            if !flows { c.lambdaAtt = 0; c.lambdaCt = 0; c.lambdaCs = 0 }
            var out: [Data] = []
            for whole in [true, false] {
                let dir = makeTempDir("zero")
                var t = try Trainer(dataset: ds, source: syntheticSource, config: c, options: o, out: dir)
                t.zeroWholeGradient = whole
                try t.run()
                out.append(try Data(contentsOf: URL(fileURLWithPath: RunFolder(dir).resumeState)))
            }
            XCTAssertEqual(out[0], out[1], flows ? "Re4" : "Base")
        }
    }

    func testSecondTrainerIntoTheSameFolderIsRefused() throws {
        let dir = makeTempDir()
        do {
            let lock = try RunLock(folder: RunFolder(dir + "/r"))
            // flock is per open file description: a second lock in this process stands for a second process.
            assertThrowsMessage(["is being trained into by process \(getpid())", "another --out"]) { try RunLock(folder: RunFolder(dir + "/r")) }
            withExtendedLifetime(lock) {}
        }
        XCTAssertNoThrow(try RunLock(folder: RunFolder(dir + "/r")), "released when its holder goes")
    }

    func testALockLeftByADeadProcessDoesNotBlock() throws {
        let dir = makeTempDir()
        try FileManager.default.createDirectory(atPath: dir + "/r", withIntermediateDirectories: true)
        write("999999\n", dir + "/r/" + RunLock.fileName)   // no such process, no flock held
        let lock = try RunLock(folder: RunFolder(dir + "/r"))
        XCTAssertEqual(lock.staleHolder, 999999)
        XCTAssertEqual(try String(contentsOfFile: lock.path, encoding: .utf8), "\(getpid())\n")
    }

    func testStaleTemporariesAreRemovedAndNothingLeftRewritesNothing() throws {
        let dir = makeTempDir()
        writeSyntheticInteractions(dir + "/log.csv", users: 30, extra: 5, items: 20, seed: 2)
        let src = DataSource(data: dir + "/log.csv")
        var o = options(epochs: 1); o.keepEveryEpoch = false
        try TrainingRun.run(source: src, model: config(), options: o, out: dir + "/r", resume: false, stopOnSignals: false)
        write("half a checkpoint", dir + "/r/.last.optim.safetensors.tmp-424242")
        o.epochs = 2
        try TrainingRun.run(source: src, model: config(), options: o, out: dir + "/r", resume: true, stopOnSignals: false)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/r/.last.optim.safetensors.tmp-424242"))
        XCTAssertEqual(try RunFolder(dir + "/r").readLog().map(\.epoch), [1, 2])
    }
}
