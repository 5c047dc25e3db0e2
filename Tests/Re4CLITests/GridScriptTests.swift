import Foundation
import XCTest
import TestSupport

/// `scripts/train-grid.sh` with GRID_JOBS: every run of the grid is trained by
/// exactly one worker, the workers run side by side, and a failing run fails
/// the grid. The trainer is a stand-in script that records its arguments.
final class GridScriptTests: XCTestCase {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/train-grid.sh").path

    /// A stand-in for `re4`: appends "NAME WORKER-PID ARGS…" to calls.log, sleeps a little, fails for a folder named bad.
    func fakeTrainer(_ dir: String) throws -> String {
        let path = dir + "/fake-re4"
        write("""
            #!/usr/bin/env bash
            if [ "$1" = archive ]; then
              [ "$(basename "$2")" = unkept ] && exit 4
              echo "archive $(basename "$2") $4 ${5:-}" >> \(dir)/calls.log; mkdir -p "$4/$(basename "$2")"; exit 0
            fi
            out=""; prev=""
            for a in "$@"; do [ "$prev" = "--out" ] && out=$a; prev=$a; done
            name=$(basename "$out")
            echo "$name $PPID $*" >> \(dir)/calls.log
            sleep 0.3
            [ "$name" = bad ] && exit 3
            mkdir -p "$out"
            exit 0

            """, path)
        XCTAssertEqual(chmod(path, 0o755), 0)
        return path
    }

    func runGrid(_ dir: String, lines: [String], jobs: String, archive: String? = nil,
                 checkpoints: String? = nil) throws -> (status: Int32, out: String, err: String) {
        write("# a comment\n\n" + lines.joined(separator: "\n") + "\n", dir + "/grid.txt")
        var env = ["GRID_JOBS": jobs, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        env["GRID_ARCHIVE"] = archive
        env["GRID_ARCHIVE_CHECKPOINTS"] = checkpoints
        return try runExecutable("/bin/bash", [script, try fakeTrainer(dir), dir + "/runs", "4", "2", dir + "/grid.txt", "--threads", "1"],
                                 environment: env)
    }

    /// GRID_ARCHIVE: each run archived after its training, a run archived before skipped, a failed archive fails the grid.
    func testWithAnArchiveEachRunIsArchivedAfterTrainingAndArchivedRunsAreSkipped() throws {
        let dir = makeTempDir()
        let archive = dir + "/kept"
        try FileManager.default.createDirectory(atPath: archive + "/done", withIntermediateDirectories: true)
        write("{}\n", archive + "/done/config.json")
        let r = try runGrid(dir, lines: ["first", "done", "last"], jobs: "1", archive: archive)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("grid: done (archived in \(archive))"), r.out)
        let c = calls(dir)
        XCTAssertEqual(c.map { $0[0] }, ["first", "archive", "last", "archive"], "\(c)")
        XCTAssertEqual(c.filter { $0[0] == "archive" }.map { $0[1] + " " + $0[2] }, ["first \(archive)", "last \(archive)"])
        // An archive that fails stops the grid like a failed run.
        let two = makeTempDir("unkept")
        let f = try runGrid(two, lines: ["unkept", "after"], jobs: "1", archive: two + "/kept")
        XCTAssertNotEqual(f.status, 0)
        XCTAssertTrue(f.err.contains("error: archiving unkept into \(two)/kept failed"), f.err)
        XCTAssertEqual(calls(two).map { $0[0] }, ["unkept"], "nothing after it")
    }

    /// GRID_ARCHIVE_CHECKPOINTS: the runs it matches are archived with --checkpoint, the others
    /// without; a run archived before is skipped either way.
    func testRunsMatchingTheCheckpointPatternKeepTheirModel() throws {
        let dir = makeTempDir()
        let archive = dir + "/kept"
        try FileManager.default.createDirectory(atPath: archive + "/old-base", withIntermediateDirectories: true)
        write("{}\n", archive + "/old-base/config.json")
        let r = try runGrid(dir, lines: ["new-base", "old-base", "new-abl"], jobs: "1", archive: archive, checkpoints: "-base$")
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("grid: old-base (archived in \(archive))"), r.out)
        let archived = calls(dir).filter { $0[0] == "archive" }.map { $0.dropFirst().joined(separator: " ") }
        XCTAssertEqual(archived, ["new-base \(archive) --checkpoint", "new-abl \(archive)"])
        XCTAssertEqual(calls(dir).filter { $0[0] != "archive" }.map { $0[0] }, ["new-base", "new-abl"])
    }

    func calls(_ dir: String) -> [[String]] {
        ((try? String(contentsOfFile: dir + "/calls.log", encoding: .utf8)) ?? "").split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
    }

    func testTwoWorkersTrainEveryRunOnceSideBySide() throws {
        let dir = makeTempDir()
        let names = (1...6).map { "run\($0)" }
        let r = try runGrid(dir, lines: names.map { "\($0) --data @RUNS@/d --seed 1" }, jobs: "2")
        XCTAssertEqual(r.status, 0, r.err)
        let c = calls(dir)
        XCTAssertEqual(c.map { $0[0] }.sorted(), names, "each run once")
        XCTAssertEqual(Set(c.map { $0[1] }).count, 2, "both workers trained runs")
        for call in c {
            XCTAssertTrue(call.contains("--epochs") && call.contains("4") && call.contains(dir + "/runs/d"), "\(call)")
            XCTAssertEqual(call.suffix(2), ["--threads", "1"], "extra arguments reach the trainer: \(call)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/runs/grid-worker-1.log"))
    }

    func testOneWorkerKeepsTheGridOrder() throws {
        let dir = makeTempDir()
        let r = try runGrid(dir, lines: ["b1", "a2", "c3"], jobs: "1")
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(calls(dir).map { $0[0] }, ["b1", "a2", "c3"])
    }

    func testAFailingRunFailsTheGridAndBadJobsAreRefused() throws {
        let dir = makeTempDir()
        let r = try runGrid(dir, lines: ["ok1", "bad", "ok2"], jobs: "2")
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("bad failed"), r.err)
        // One worker stops at the failing run: the runs after it are not started.
        let one = makeTempDir("one")
        let r1 = try runGrid(one, lines: ["ok1", "bad", "ok2"], jobs: "1")
        XCTAssertNotEqual(r1.status, 0)
        XCTAssertTrue(r1.err.contains("error: bad failed"), r1.err)
        XCTAssertEqual(calls(one).map { $0[0] }, ["ok1", "bad"])
        let dir2 = makeTempDir("jobs")
        let z = try runGrid(dir2, lines: ["x"], jobs: "two")
        XCTAssertEqual(z.status, 2)
        XCTAssertTrue(z.err.contains("GRID_JOBS must be a whole number"), z.err)
        XCTAssertTrue(calls(dir2).isEmpty, "nothing trained")
    }
}
