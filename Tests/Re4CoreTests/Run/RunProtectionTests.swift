import Foundation
import XCTest
import TestSupport
@testable import Re4Core

/// A run is never replaced or continued by accident (issue: nothing lost, round three).
final class RunProtectionTests: XCTestCase {
    var dir = ""
    var source = DataSource(data: "")

    override func setUpWithError() throws {
        dir = makeTempDir()
        var s = SyntheticSpec(); s.users = 150; s.items = 1_000; s.categories = 4; s.maxInterests = 2; s.minLength = 8; s.maxLength = 20; s.seed = 3
        try Synthetic.write(s, to: dir + "/data")
        source = DataSource(data: dir + "/data")
    }

    func config() -> ModelConfig { var c = ModelConfig(); c.interests = 2; c.dim = 8; c.hidden = 8; c.maxLength = 6; return c }
    func options(epochs: Int = 2, seed: UInt64 = 3) -> TrainingOptions {
        var o = TrainingOptions(); o.epochs = epochs; o.batchSize = 64; o.threads = 1; o.negatives = .uniform(count: 20); o.seed = seed; return o
    }
    @discardableResult
    func train(_ out: String, epochs: Int = 2, seed: UInt64 = 3, resume: Bool = false, replace: Bool = false) throws -> Trainer {
        try TrainingRun.run(source: source, model: config(), options: options(epochs: epochs, seed: seed), out: out, resume: resume, replace: replace, stopOnSignals: false)
    }
    func lines(_ path: String) throws -> Int { try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count }

    func testANewRunNeverReplacesAnotherAndReplaceMovesItAside() throws {
        let run = dir + "/run"
        try train(run)
        let before = try Data(contentsOf: URL(fileURLWithPath: run + "/best.safetensors"))
        assertThrowsMessage(["holds a run", "config.json", "log.jsonl", "seed 3", "2 epochs logged", "--resume", "--replace"]) { try self.train(run, seed: 4) }
        // Without the resume state the run can still not be replaced by accident, and the advice keeps it.
        try FileManager.default.removeItem(atPath: run + "/last.optim.safetensors")
        assertThrowsMessage(["holds a run", "--replace"]) { try self.train(run, seed: 4) }
        assertThrowsMessage(["last.optim.safetensors is missing", "kept as they are", "another --out", "--replace"]) { try self.train(run, epochs: 3, resume: true) }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: run + "/best.safetensors")), before, "nothing was changed by the refusals")
        var moved = ""
        _ = try TrainingRun.run(source: source, model: config(), options: options(seed: 4), out: run, resume: false, replace: true, stopOnSignals: false,
                                replaced: { moved = $0 })
        XCTAssertEqual(moved, run + ".replaced-1")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: moved + "/best.safetensors")), before, "the old run is kept whole")
        XCTAssertEqual(try lines(moved + "/log.csv"), 3)
        XCTAssertEqual(try RunFolder(run).readConfig().training.seed, 4)
    }

    func testResumeReadsTheWholeLogOrRefuses() throws {
        let run = dir + "/run"
        try train(run, epochs: 2)
        // log.jsonl deleted: log.csv holds every epoch, so resuming reads it and keeps every row.
        try FileManager.default.removeItem(atPath: run + "/log.jsonl")
        try train(run, epochs: 3, resume: true)
        XCTAssertEqual(try lines(run + "/log.csv"), 4, "header + epochs 1–3")
        XCTAssertEqual(try EpochLog.read(jsonl: run + "/log.jsonl").map(\.epoch), [1, 2, 3])
        // Both logs cut short: --resume refuses and leaves them as they are.
        let csv = try String(contentsOfFile: run + "/log.csv", encoding: .utf8).split(separator: "\n").prefix(2).joined(separator: "\n") + "\n"
        write(csv, run + "/log.csv")
        try FileManager.default.removeItem(atPath: run + "/log.jsonl")
        assertThrowsMessage(["log.csv", "every epoch 1–3", "would rewrite"]) { try self.train(run, epochs: 4, resume: true) }
        XCTAssertEqual(try lines(run + "/log.csv"), 2)
    }

    func testResumeChecksConfigSeedAndCheckpointsAgainstTheResumeState() throws {
        let run = dir + "/run"
        try train(run, epochs: 2)
        let config = try Data(contentsOf: URL(fileURLWithPath: run + "/config.json"))
        try FileManager.default.removeItem(atPath: run + "/config.json")
        assertThrowsMessage(["config.json is missing", "restore it"]) { try self.train(run, epochs: 3, seed: 4, resume: true) }
        try config.write(to: URL(fileURLWithPath: run + "/config.json"))
        assertThrowsMessage(["--seed was 3, now 4"]) { try self.train(run, epochs: 3, seed: 4, resume: true) }
        // A checkpoint of another epoch in place of last.safetensors.
        try FileManager.default.copyItem(atPath: run + "/last.safetensors", toPath: dir + "/last-2.safetensors")
        try train(dir + "/other", epochs: 1)
        try FileManager.default.removeItem(atPath: run + "/last.safetensors")
        try FileManager.default.copyItem(atPath: dir + "/other/last.safetensors", toPath: run + "/last.safetensors")
        assertThrowsMessage(["last.safetensors does not belong", "epoch 1", "says 2"]) { try self.train(run, epochs: 3, resume: true) }
        try FileManager.default.removeItem(atPath: run + "/last.safetensors")
        try FileManager.default.copyItem(atPath: dir + "/last-2.safetensors", toPath: run + "/last.safetensors")
        try train(run, epochs: 3, resume: true)
        XCTAssertEqual(try RunFolder(run).readLog().map(\.epoch), [1, 2, 3])
    }

    func testARunStoppedBeforeItsFirstEpochStartsAgain() throws {
        let run = dir + "/run"
        try train(run, epochs: 1)
        for f in ["log.jsonl", "log.csv", "last.safetensors", "best.safetensors", "last.optim.safetensors"] { try FileManager.default.removeItem(atPath: run + "/" + f) }
        try train(run, epochs: 1)   // only config.json with the same settings: nothing to lose
        XCTAssertEqual(try RunFolder(run).readLog().count, 1)
        for f in ["log.jsonl", "log.csv", "last.safetensors", "best.safetensors", "last.optim.safetensors"] { try FileManager.default.removeItem(atPath: run + "/" + f) }
        assertThrowsMessage(["holds a run", "config.json"]) { try self.train(run, epochs: 1, seed: 9) }
    }

    func testNamesOverTheLimitAreRefusedBeforeAnythingIsMade() throws {
        let deep = dir + "/" + Array(repeating: "d", count: 30).joined(separator: "/") + "/" + String(repeating: "x", count: 256)
        assertThrowsMessage(["over the 255"]) { try self.train(deep) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/d"), "no folder left behind")
        let long = dir + "/" + String(repeating: "y/", count: 2100)
        assertThrowsMessage(["over the 4,095"]) { try self.train(long) }
        // A legal 250-byte name is written, its temporary name shortened to fit.
        let name = dir + "/" + String(repeating: "n", count: 250)
        try AtomicFile.write("ok", to: name)
        XCTAssertEqual(try String(contentsOfFile: name, encoding: .utf8), "ok")
    }

    func testFileSystemErrorsAreOneLineInWords() {
        XCTAssertEqual(IOError.cause(EACCES), "permission denied")
        XCTAssertEqual(IOError.cause(ENOSPC), "no space left on the device")
        XCTAssertEqual(IOError.cause(EROFS), "the file system is read-only")
        let ns = NSError(domain: NSCocoaErrorDomain, code: NSFileWriteNoPermissionError, userInfo: [NSFilePathErrorKey: "/x"])
        XCTAssertEqual(IOError.cause(of: ns), "permission denied")
        let nested = NSError(domain: NSCocoaErrorDomain, code: 512, userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC))])
        XCTAssertEqual(IOError.cause(of: nested), "no space left on the device")
        // A read-only folder: one line with the path and the cause (root bypasses permissions, so a file stands in for the folder).
        let blocker = makeTempDir() + "/file"
        write("x", blocker)
        XCTAssertThrowsError(try AtomicFile.write("y", to: blocker + "/out.txt")) {
            XCTAssertFalse($0.localizedDescription.contains("NSCocoaErrorDomain"), $0.localizedDescription)
            XCTAssertTrue($0.localizedDescription.contains(blocker), $0.localizedDescription)
        }
    }
}
