import Foundation
import XCTest
import TestSupport
@testable import Re4Core

/// `re4 train` on a full disk: a folder that cannot hold one epoch is refused
/// before training; a disk that fills up during training stops with one error
/// line, leaves no temporary file and a consistent last checkpoint, and the
/// run resumes (once there is space) to the same bytes as an uninterrupted run.
/// Uses a small tmpfs, so it needs root (it is skipped elsewhere).
final class DiskFullTests: XCTestCase {
    var mounts: [String] = []

    override func tearDown() {
        for m in mounts { _ = shell("umount", m) }
        mounts = []
    }

    @discardableResult
    func shell(_ args: String...) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }

    func mountTmpfs(_ dir: String, bytes: Int) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        guard getuid() == 0, shell("mount", "-t", "tmpfs", "-o", "size=\(bytes)", "tmpfs", dir) == 0 else {
            throw XCTSkip("needs root and tmpfs to simulate a full disk")
        }
        mounts.append(dir)
    }

    func testFullDiskIsRefusedOrSurvivedWithoutACorruptCheckpoint() throws {
        let re4 = try builtExecutable("re4")
        let d = makeTempDir()
        writeSyntheticInteractions(d + "/data.csv", users: 80, extra: 10, items: 120, seed: 8)
        func args(_ out: String, resume: Bool = false) -> [String] {
            ["train", "--data", d + "/data.csv", "--epochs", "6", "--batch-size", "64", "--interests", "2", "--dim", "32",
             "--hidden", "8", "--negatives", "20", "--threads", "2", "--seed", "5", "--keep-every-epoch", "--out", out]
                + (resume ? ["--resume"] : [])
        }
        // Reference: an uninterrupted run on an ordinary disk.
        let ref = try runExecutable(re4, args(d + "/ref"))
        XCTAssertEqual(ref.status, 0, ref.err)
        let checkpointBytes = try FileManager.default.attributesOfItem(atPath: d + "/ref/last.safetensors")[.size] as! Int

        // 1. Too small for one epoch: refused before training, nothing written.
        let small = d + "/small"
        try mountTmpfs(small, bytes: 2 * checkpointBytes)
        let r1 = try runExecutable(re4, args(small + "/run"))
        XCTAssertNotEqual(r1.status, 0)
        let errLines1 = r1.err.split(separator: "\n").filter { $0.hasPrefix("error:") }
        XCTAssertEqual(errLines1.count, 1, r1.err)
        XCTAssertTrue(r1.err.contains("not enough free space"), r1.err)
        let left = (try? FileManager.default.contentsOfDirectory(atPath: small + "/run")) ?? []
        XCTAssertFalse(left.contains { $0.hasSuffix(".safetensors") }, "no checkpoint before training: \(left)")

        // 2. Room for the first epochs only: the disk fills up during training.
        let tight = d + "/tight"
        try mountTmpfs(tight, bytes: 12 * checkpointBytes)
        let r2 = try runExecutable(re4, args(tight + "/run"))
        XCTAssertNotEqual(r2.status, 0, "six kept epochs cannot fit in twelve checkpoints. space")
        let errLines2 = r2.err.split(separator: "\n").filter { $0.hasPrefix("error:") }
        XCTAssertEqual(errLines2.count, 1, r2.err)
        XCTAssertTrue(r2.err.lowercased().contains("space"), r2.err)
        XCTAssertFalse(r2.err.contains(".;"), r2.err)
        let files = try FileManager.default.contentsOfDirectory(atPath: tight + "/run")
        print("disk-full run stopped with: \(errLines2.first ?? "")\nfiles left: \(files.sorted())")
        XCTAssertFalse(files.contains { $0.contains(".tmp-") }, "no temporary file left: \(files)")
        // What is there is whole and consistent: the resume state's epoch is the log's last epoch.
        let resume = try SafeTensors.read(path: tight + "/run/last.optim.safetensors")
        let epoch = Int(resume.metadata["epoch"] ?? "") ?? -1
        XCTAssertGreaterThanOrEqual(epoch, 1)
        XCTAssertLessThan(epoch, 6)
        XCTAssertEqual(try EpochLog.read(path: tight + "/run/log.jsonl").map(\.epoch).last, epoch)
        XCTAssertNoThrow(try Checkpoint.load(path: tight + "/run/last.safetensors"))

        // 3. With space again, --resume finishes with the uninterrupted run's bytes.
        XCTAssertEqual(shell("mount", "-o", "remount,size=\(40 * checkpointBytes)", tight), 0)
        let r3 = try runExecutable(re4, args(tight + "/run", resume: true))
        XCTAssertEqual(r3.status, 0, r3.err)
        XCTAssertEqual(FileManager.default.contents(atPath: tight + "/run/last.safetensors"),
                       FileManager.default.contents(atPath: d + "/ref/last.safetensors"))
    }
}
