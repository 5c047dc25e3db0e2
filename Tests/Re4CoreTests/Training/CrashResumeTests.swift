import Foundation
import XCTest
import TestSupport
@testable import Re4Core

/// `re4 train` killed with SIGKILL at several moments (mid-epoch, and at
/// whatever point a kill lands, including during checkpoint writes): every
/// checkpoint left behind loads, and `--resume` finishes with the same bytes as
/// an uninterrupted run with the same seed and threads.
final class CrashResumeTests: XCTestCase {
    func testKilledRunsResumeToTheSameBytes() throws {
        let re4 = try builtExecutable("re4")
        let d = makeTempDir()
        writeSyntheticInteractions(d + "/data.csv", users: 200, extra: 20, items: 120, seed: 8)
        func args(_ out: String, resume: Bool) -> [String] {
            ["train", "--data", d + "/data.csv", "--epochs", "4", "--batch-size", "32", "--interests", "2", "--dim", "8",
             "--hidden", "8", "--negatives", "20", "--threads", "2", "--seed", "5", "--out", out] + (resume ? ["--resume"] : [])
        }
        func run(_ a: [String], killAfter: Double? = nil) throws -> Int32 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: re4); p.arguments = a
            p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
            try p.run()
            if let t = killAfter {
                Thread.sleep(forTimeInterval: t)
                if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            }
            p.waitUntilExit()
            return p.terminationStatus
        }
        XCTAssertEqual(try run(args(d + "/full", resume: false)), 0)
        let reference = FileManager.default.contents(atPath: d + "/full/last.safetensors")
        XCTAssertNotNil(reference)
        // Measure one run's length to place kills inside it.
        let t0 = Date()
        XCTAssertEqual(try run(args(d + "/timing", resume: false)), 0)
        let total = Date().timeIntervalSince(t0)
        var kills = 0
        let out = d + "/killed"
        var first = true
        for fraction in [0.35, 0.55, 0.75] {
            let status = try run(args(out, resume: !first), killAfter: total * fraction)
            if status != 0 { kills += 1 }
            // Whatever is on disk must load.
            if FileManager.default.fileExists(atPath: out + "/last.safetensors") {
                XCTAssertNoThrow(try Checkpoint.load(path: out + "/last.safetensors"))
                first = false
            }
            if FileManager.default.fileExists(atPath: out + "/last.optim.safetensors") { first = false }
        }
        while try run(args(out, resume: !first)) != 0 { first = false }
        XCTAssertGreaterThan(kills, 0, "at least one run was actually killed")
        XCTAssertEqual(FileManager.default.contents(atPath: out + "/last.safetensors"), reference,
                       "resumed after \(kills) kills: same final checkpoint bytes")
        let a = try EpochLog.read(jsonl: d + "/full/log.jsonl"), b = try EpochLog.read(jsonl: out + "/log.jsonl")
        XCTAssertEqual(a.map(\.epoch), b.map(\.epoch))
        XCTAssertEqual(a.map(\.test), b.map(\.test), "same metrics")
    }
}
