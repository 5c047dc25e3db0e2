import Foundation
import XCTest
import TestSupport
@testable import Re4Core

/// `RunProgress` says whether a run's training is over, by the trainer's own
/// rule: hand-made logs, then real runs stopped by a kill, by their last epoch
/// and by patience.
final class RunProgressTests: XCTestCase {
    func recs(_ valid: [Double]) -> [EpochRecord] {
        valid.enumerated().map { EpochRecord(epoch: $0 + 1, seconds: 1, examplesPerSecond: 1, loss: LossBreakdown(),
                                             valid: ["recall@50": $1], test: [:]) }
    }
    func session(_ epochs: Int, patience: Int?) -> RunConfig.Session {
        RunConfig.Session(firstEpoch: 1, epochs: epochs, patience: patience, threads: 1, keepEveryEpoch: false)
    }

    func testHandMadeLogs() {
        // Best at epoch 2; epochs 3, 4 do not improve (a tie does not either): 2 bad epochs.
        let log = recs([0.1, 0.3, 0.2, 0.3])
        XCTAssertEqual(RunProgress.of(records: log, sessions: [session(10, patience: 2)]), .patienceRanOut(epoch: 4, best: 2, patience: 2))
        XCTAssertEqual(RunProgress.of(records: log, sessions: [session(10, patience: 3)]), .unfinished(epoch: 4, of: 10))
        XCTAssertEqual(RunProgress.of(records: log, sessions: [session(10, patience: nil)]), .unfinished(epoch: 4, of: 10))
        XCTAssertEqual(RunProgress.of(records: log, sessions: [session(4, patience: nil)]), .reachedLastEpoch(epoch: 4))
        // Only the last session counts: resumed with more epochs, the run is not over.
        XCTAssertEqual(RunProgress.of(records: log, sessions: [session(4, patience: nil), session(6, patience: nil)]),
                       .unfinished(epoch: 4, of: 6))
        // An improving last epoch resets the count; the order of the records does not matter.
        XCTAssertEqual(RunProgress.of(records: recs([0.3, 0.1, 0.4]).reversed(), sessions: [session(9, patience: 2)]),
                       .unfinished(epoch: 3, of: 9))
        // No validation score counts as 0: the first such epoch is the best, the rest are bad.
        XCTAssertEqual(RunProgress.of(records: recs([.nan, .nan, .nan]), sessions: [session(9, patience: 2)]),
                       .patienceRanOut(epoch: 3, best: 1, patience: 2))
        XCTAssertEqual(RunProgress.of(records: log, sessions: []), .unknown(epoch: 4))
        XCTAssertEqual(RunProgress.of(records: [], sessions: [session(3, patience: 1)]), .unfinished(epoch: 0, of: 3))
        XCTAssertTrue(RunProgress.unknown(epoch: 1).isFinished)
        XCTAssertFalse(RunProgress.unfinished(epoch: 1, of: 2).isFinished)
        XCTAssertEqual(RunProgress.unfinished(epoch: 5, of: 12).description, "epoch 5 of 12, not finished")
    }

    func options(epochs: Int, patience: Int? = nil) -> TrainingOptions {
        var o = TrainingOptions()
        o.epochs = epochs; o.patience = patience; o.batchSize = 32; o.negatives = .uniform(count: 10); o.seed = 5; o.threads = 1
        return o
    }
    func config() -> ModelConfig {
        var c = ModelConfig(); c.interests = 2; c.dim = 8; c.maxLength = 6; c.hidden = 8
        return c
    }

    func testRealRunsKilledFinishedAndStoppedByPatience() throws {
        struct Killed: Error {}
        let ds = try syntheticDataset()
        let killed = makeTempDir("progress")
        var a = try Trainer(dataset: ds, source: syntheticSource, config: config(), options: options(epochs: 3), out: killed)
        a.afterCommitStep = { s, e in if s == Trainer.CommitStep.allCases.last! && e == 2 { throw Killed() } }
        XCTAssertThrowsError(try a.run())
        XCTAssertEqual(try RunProgress.of(folder: RunFolder(killed)), .unfinished(epoch: 2, of: 3))
        var b = try Trainer(dataset: ds, source: syntheticSource, config: config(), options: options(epochs: 3), out: killed)
        try b.resume(); try b.run()
        XCTAssertEqual(try RunProgress.of(folder: RunFolder(killed)), .reachedLastEpoch(epoch: 3))
        // Patience 1 stops at the first epoch that does not improve; the progress agrees with the trainer.
        let patient = makeTempDir("progress")
        var c = try Trainer(dataset: ds, source: syntheticSource, config: config(), options: options(epochs: 30, patience: 1), out: patient)
        try c.run()
        let log = try RunFolder(patient).readLog()
        let p = try RunProgress.of(folder: RunFolder(patient))
        XCTAssertLessThan(log.count, 30, "the tiny data set stops early under patience 1")
        XCTAssertEqual(p, .patienceRanOut(epoch: log.count, best: c.bestEpoch, patience: 1))
        XCTAssertTrue(p.isFinished)
    }

    func testStatusLineOfAFolderJustStartedAndOfNoRun() throws {
        let d = makeTempDir("status")
        XCTAssertThrowsError(try RunProgress.statusLine(folder: d)) { XCTAssertEqual($0 as? RunError, .noLog(folder: d)) }
        var c = RunConfig(model: ModelConfig(), training: .init(), data: DataSource(data: "toy"), dataset: .init(name: "toy", fingerprint: "0"))
        c.sessions = [session(3, patience: nil)]
        try c.json().write(to: URL(fileURLWithPath: d + "/config.json"))
        let s = try RunProgress.statusLine(folder: d)
        XCTAssertEqual(s.line, d + ": no epoch trained yet")
        XCTAssertFalse(s.finished)
        // The Slurm task scripts/slurm-grid.sh names in the folder; a file that is not its format is not shown.
        _ = FileManager.default.createFile(atPath: d + "/slurm-job", contents: Data("812 4 815 node07 restarts=2\n".utf8))
        XCTAssertEqual(try RunProgress.statusLine(folder: d).line, d + ": no epoch trained yet; run by Slurm job 812_4 (job 815 on node07, restarts 2)")
        _ = FileManager.default.createFile(atPath: d + "/slurm-job", contents: Data("812 4\n".utf8))
        XCTAssertNil(RunProgress.slurmOwner(RunFolder(d)))
        _ = FileManager.default.createFile(atPath: d + "/slurm-job", contents: Data(repeating: 0x41, count: 5000))
        XCTAssertNil(RunProgress.slurmOwner(RunFolder(d)))
    }

    /// A grid file's run names in order; each malformed file gets its line and reason.
    func testGridFileNamesAndMalformedGrids() throws {
        let d = makeTempDir("grid")
        func grid(_ text: String) -> String { let p = d + "/g\(text.count).txt"; _ = FileManager.default.createFile(atPath: p, contents: Data(text.utf8)); return p }
        XCTAssertEqual(try RunProgress.gridRunNames(file: grid("# a comment\nx-base-s1 --data ml-1m --base\n\n  x-re4-s1\t--data ml-1m\n")),
                       ["x-base-s1", "x-re4-s1"])
        XCTAssertEqual(try RunProgress.gridRunNames(file: grid("")), [])
        func refused(_ text: String, _ expected: RunError, file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertThrowsError(try RunProgress.gridRunNames(file: grid(text)), file: file, line: line) {
                XCTAssertEqual($0 as? RunError, expected, file: file, line: line)
            }
        }
        let p = { (t: String) in d + "/g\(t.count).txt" }
        refused("a --seed 1\nb\na --seed 2\n", .badGrid(path: p("a --seed 1\nb\na --seed 2\n"), line: 3, reason: "'a' is named twice"))
        refused("# x\n../elsewhere --seed 1\n", .badGrid(path: p("# x\n../elsewhere --seed 1\n"), line: 2, reason: "'../elsewhere' is not a folder name"))
        let bad = d + "/latin1.txt"
        _ = FileManager.default.createFile(atPath: bad, contents: Data([0x61, 0xff, 0x0a]))
        XCTAssertThrowsError(try RunProgress.gridRunNames(file: bad)) { XCTAssertEqual($0 as? RunError, .badGrid(path: bad, line: 1, reason: "not UTF-8 text")) }
        let big = d + "/big.txt"
        _ = FileManager.default.createFile(atPath: big, contents: Data(repeating: 0x61, count: (1 << 20) + 1))
        XCTAssertThrowsError(try RunProgress.gridRunNames(file: big)) { XCTAssertTrue($0.localizedDescription.contains("over 1 MiB"), $0.localizedDescription) }
        XCTAssertThrowsError(try RunProgress.gridRunNames(file: d + "/absent.txt")) { XCTAssertTrue($0.localizedDescription.contains("no such file")) }
    }
}
