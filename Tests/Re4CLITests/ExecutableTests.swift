import Foundation
import XCTest
import TestSupport
@testable import Re4Core

/// End-to-end runs of the `re4` executable: exit codes, one error line, and
/// nothing written on bad input.
final class ExecutableTests: XCTestCase {
    func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        try runExecutable(try builtExecutable("re4"), args)
    }

    func assertOneErrorLine(_ r: (status: Int32, out: String, err: String), contains: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNotEqual(r.status, 0, "must fail", file: file, line: line)
        let lines = r.err.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "exactly one error line, got: \(r.err)", file: file, line: line)
        for c in contains { XCTAssertTrue(r.err.contains(c), "'\(r.err)' lacks '\(c)'", file: file, line: line) }
    }

    func tinyCSV(_ dir: String) -> String {
        var rng = SeededRandom(seed: 1)
        var rows = "user,item,timestamp\n"
        for u in 0..<40 { for t in 0..<(5 + rng.below(8)) { rows += "u\(u),i\(rng.below(30)),\(t)\n" } }
        write(rows, dir + "/tiny.csv")
        return dir + "/tiny.csv"
    }

    /// `re4 status`: a line per run, exit 3 under --require-finished while one is
    /// still training (and no error line), one error line for a folder that is no run.
    func testStatusSaysWhichRunsAreOver() throws {
        let root = makeTempDir("status")
        func run(_ name: String, valid: [Double], epochs: Int, patience: Int?) throws -> String {
            let d = root + "/" + name
            try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
            var l = LossBreakdown(); l.total = 1; l.rec = 1
            let recs = valid.enumerated().map { EpochRecord(epoch: $0 + 1, seconds: 1, examplesPerSecond: 1, loss: l,
                                                            valid: ["recall@50": $1], test: [:]) }
            try EpochLog.write(recs, jsonl: d + "/log.jsonl", csv: d + "/log.csv")
            var c = RunConfig(model: ModelConfig(), training: .init(), data: DataSource(data: "toy"), dataset: .init(name: "toy", fingerprint: "0"))
            c.sessions = [.init(firstEpoch: 1, epochs: epochs, patience: patience, threads: 1, keepEveryEpoch: false)]
            try c.json().write(to: URL(fileURLWithPath: d + "/config.json"))
            return d
        }
        let done = try run("done", valid: [0.1, 0.3, 0.2, 0.25], epochs: 10, patience: 2)
        let going = try run("going", valid: [0.1, 0.2], epochs: 10, patience: 2)
        let r = try self.run(["status", done, going])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out.split(separator: "\n").map(String.init), [
            "\(done): stopped at epoch 4 (patience 2); best epoch 2 (validation Recall@50 0.3000)",
            "\(going): epoch 2 of 10, not finished; best epoch 2 (validation Recall@50 0.2000)"])
        let strict = try self.run(["status", "--require-finished", done, going])
        XCTAssertEqual(strict.status, 3)
        XCTAssertEqual(strict.err, "")
        XCTAssertEqual(try self.run(["status", "--require-finished", done]).status, 0)
        assertOneErrorLine(try self.run(["status", root]), contains: [root, "no log.jsonl"])
        // A stray path among the runs is named on its own line; the runs after it are still reported.
        let mixed = try self.run(["status", root, done])
        XCTAssertEqual(mixed.status, 1)
        XCTAssertEqual(mixed.out, "\(done): stopped at epoch 4 (patience 2); best epoch 2 (validation Recall@50 0.3000)\n")
        assertOneErrorLine(mixed, contains: [root, "no log.jsonl"])
        // A grid file: every run it names, the ones not started included (they are not finished).
        let gridFile = root + "/grid.txt"
        try "# the grid\ndone --seed 1\nlater --seed 2\n".write(toFile: gridFile, atomically: true, encoding: .utf8)
        let g = try self.run(["status", "--grid", gridFile, "--runs", root, "--require-finished"])
        XCTAssertEqual(g.status, 3, g.err)
        XCTAssertEqual(g.out.split(separator: "\n").map(String.init), [
            "\(done): stopped at epoch 4 (patience 2); best epoch 2 (validation Recall@50 0.3000)",
            "\(root)/later: not started"])
        // With --archive: a run kept there and absent from --runs is reported from the archive.
        let kept = makeTempDir("status-archive")
        try FileManager.default.copyItem(atPath: done, toPath: kept + "/later")
        let ga = try self.run(["status", "--grid", gridFile, "--runs", root, "--archive", kept, "--require-finished"])
        XCTAssertEqual(ga.status, 0, ga.err)
        XCTAssertEqual(ga.out.split(separator: "\n").map(String.init), [
            "\(done): stopped at epoch 4 (patience 2); best epoch 2 (validation Recall@50 0.3000)",
            "\(kept)/later: stopped at epoch 4 (patience 2); best epoch 2 (validation Recall@50 0.3000)"])
        assertOneErrorLine(try self.run(["status", done, "--archive", kept]), contains: ["--archive goes with --grid"])
        assertOneErrorLine(try self.run(["status", "--grid", gridFile]), contains: ["--grid and --runs together"])
        try "a\na\n".write(toFile: gridFile, atomically: true, encoding: .utf8)
        assertOneErrorLine(try self.run(["status", "--grid", gridFile, "--runs", root]), contains: [gridFile, "line 2", "named twice"])
    }

    /// `--size`, `--font-size`, `--xlabel` reach the drawn file: a 3 × 2 in figure at 100 dpi is 300 × 200 pixels,
    /// and a larger font draws more ink.
    func testFigureStyleOptionsReachTheFile() throws {
        let dir = makeTempDir()
        var l = LossBreakdown(); l.total = 1; l.rec = 1
        let recs = (1...4).map { EpochRecord(epoch: $0, seconds: 1, examplesPerSecond: 1, loss: l, valid: ["recall@50": 0.1 * Double($0)], test: ["recall@50": 0.1 * Double($0)]) }
        try EpochLog.write(recs, jsonl: dir + "/log.jsonl", csv: dir + "/log.csv")
        let viz = try builtExecutable("re4-viz")
        var ink: [Int] = []
        for (name, font) in [("small", "6"), ("large", "12")] {
            let r = try runExecutable(viz, ["curves", dir + "/log.jsonl", "--metrics", "test_recall@50", "--out", dir + "/\(name).png",
                                            "--size", "3,2", "--font-size", font, "--xlabel", "training epochs"])
            XCTAssertEqual(r.status, 0, r.err)
            let data = try XCTUnwrap(FileManager.default.contents(atPath: dir + "/\(name).png"))
            // PNG header: width and height as big-endian UInt32 at bytes 16 and 20.
            func be(_ o: Int) -> Int { data[o..<o + 4].reduce(0) { $0 << 8 | Int($1) } }
            XCTAssertEqual(be(16), 300); XCTAssertEqual(be(20), 200)
            ink.append(data.count)
        }
        XCTAssertNotEqual(ink[0], ink[1], "the font size changes the drawing")
    }

    /// The executable restarts itself on OpenBLAS's strongest kernel this CPU runs
    /// (BLASKernel), and keeps the user's own OPENBLAS_CORETYPE.
    func testTheExecutableRunsOnTheBestBLASKernelUnlessTheUserChose() throws {
        let args = ["bench", "--kernel"]
        let r = try run(args)
        XCTAssertEqual(r.status, 0, r.err)
        let kernel = try XCTUnwrap(r.out.components(separatedBy: "OpenBLAS kernel ").last?.components(separatedBy: ";").first)
        if let best = BLASKernel.best(flags: BLASKernel.cpuFlags()) {
            XCTAssertGreaterThanOrEqual(BLASKernel.tier(kernel), BLASKernel.tier(best), "running on \(kernel)")
        }
        let chosen = try runExecutable(try builtExecutable("re4"), args,
                                     environment: ProcessInfo.processInfo.environment.merging(["OPENBLAS_CORETYPE": "Prescott"]) { $1 })
        XCTAssertTrue(chosen.out.contains("OpenBLAS kernel Prescott"), chosen.out)
    }

    func testBadInputsGiveOneClearLine() throws {
        let dir = makeTempDir()
        assertOneErrorLine(try run(["data", "stats", "nope"]), contains: ["unknown data set 'nope'"])
        assertOneErrorLine(try run(["data", "stats", dir + "/missing.csv"]), contains: ["missing.csv", "no such file"])
        write("u,i,1\nu,j,notatime\n", dir + "/bad.csv")
        assertOneErrorLine(try run(["data", "stats", dir + "/bad.csv"]), contains: ["bad.csv:2", "not a number"])
        write("garbage", dir + "/bad.safetensors")
        assertOneErrorLine(try run(["evaluate", "--checkpoint", dir + "/bad.safetensors", "--data", tinyCSV(dir)]),
                           contains: ["bad.safetensors", "not a valid safetensors"])
        assertOneErrorLine(try run(["train", "--data", tinyCSV(dir), "--interests", "0", "--out", dir + "/r"]),
                           contains: ["--interests 0 is out of range"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/r"), "nothing written")
    }

    /// A PyTorch state dict evaluates from the command line as PyTorch computed it, and converts.
    func testEvaluateAndConvertAPyTorchStateDict() throws {
        let torch = repositoryRoot + "/Tests/Re4CoreTests/Fixtures/torch/"
        let dir = makeTempDir()
        let r = try run(["evaluate", "--checkpoint", torch + "re4-eval.pt", "--data", torch + "tiny_train.txt", "--max-length", "6"])
        XCTAssertEqual(r.status, 0, r.err)
        let theirs = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: torch + "re4-eval.metrics.json"))) as! [String: Double]
        XCTAssertTrue(r.out.contains(String(format: "%.4f", theirs["recall@20"]!)), r.out)
        let c = try run(["convert", torch + "re4-eval.pt", dir + "/m.safetensors"])
        XCTAssertEqual(c.status, 0, c.err)
        let st = try SafeTensors.read(path: dir + "/m.safetensors")
        XCTAssertEqual(st.tensors, try TorchCheckpoint.read(path: torch + "re4-eval.pt").tensors)
    }

    /// The PyTorch ComiRec port's models evaluate from the command line to PyTorch's metrics
    /// (MIND, whose start is random, is checked in PortModelTests); they cannot be trained.
    func testThePortsModelsEvaluateAndAreNotTrained() throws {
        let torch = repositoryRoot + "/Tests/Re4CoreTests/Fixtures/torch/"
        for name in ["port-sa", "port-dr"] {
            let r = try run(["evaluate", "--checkpoint", torch + name + ".pt", "--data", torch + "tiny_train.txt", "--json"])
            XCTAssertEqual(r.status, 0, r.err)
            let ours = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as! [String: Any]
            let want = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: torch + name + ".expected.json"))) as! [String: Any]
            for (k, v) in want["metrics"] as! [String: Double] {
                XCTAssertEqual((ours[k] as! NSNumber).doubleValue, v, accuracy: 1e-5, "\(name) \(k)")
            }
        }
        let m = try run(["evaluate", "--checkpoint", torch + "port-mind.pt", "--data", torch + "tiny_train.txt",
                         "--mind-interests", "3", "--max-length", "6", "--relu-layer"])
        XCTAssertEqual(m.status, 0, m.err)
        let dir = makeTempDir()
        assertOneErrorLine(try run(["train", "--data", torch + "tiny_train.txt", "--encoder", "pytorch-mind", "--out", dir + "/r"]),
                           contains: ["pytorch-mind", "analysis only"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/r"), "nothing written")
    }

    func testTrainEvaluateExportEndToEnd() throws {
        let dir = makeTempDir()
        let data = tinyCSV(dir)
        let out = dir + "/runs/re4"
        let r = try run(["train", "--data", data, "--epochs", "2", "--batch-size", "64", "--interests", "2", "--dim", "8",
                         "--hidden", "8", "--negatives", "10", "--threads", "1", "--out", out])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("epoch   2"), r.out)
        for f in ["last.safetensors", "best.safetensors", "log.jsonl", "log.csv"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/" + f), f)
        }
        // A second run into the same folder without --resume is refused, files untouched.
        let before = FileManager.default.contents(atPath: out + "/last.safetensors")
        assertOneErrorLine(try run(["train", "--data", data, "--out", out]), contains: ["holds a run", "--resume"])
        XCTAssertEqual(FileManager.default.contents(atPath: out + "/last.safetensors"), before)
        // Evaluate prints the table and JSON; the JSON parses.
        let e = try run(["evaluate", "--checkpoint", out + "/best.safetensors", "--data", data, "--json"])
        XCTAssertEqual(e.status, 0, e.err)
        let obj = try JSONSerialization.jsonObject(with: Data(e.out.utf8)) as? [String: Any]
        XCTAssertNotNil(obj?["ndcg_re4@50"])
        // Another data set: fingerprint mismatch.
        write("a,x,1\na,y,2\nb,x,1\nb,z,2\n", dir + "/other.csv")
        assertOneErrorLine(try run(["evaluate", "--checkpoint", out + "/best.safetensors", "--data", dir + "/other.csv"]),
                           contains: ["fingerprint", "--allow-mismatch"])
        // Export.
        let x = try run(["export", "--checkpoint", out + "/best.safetensors", "--data", data, "--out", dir + "/exp"])
        XCTAssertEqual(x.status, 0, x.err)
        let U = try Npy.read(path: dir + "/exp/interests.npy")
        XCTAssertEqual(U.shape.count, 3); XCTAssertEqual(U.shape[1], 2); XCTAssertEqual(U.shape[2], 8)
        // The exported arrays, read back as any model's arrays, give the checkpoint's statistics
        // (all but cos_Z: Z is not among the arrays) and its Figure 4.
        let viz = try builtExecutable("re4-viz")
        let byCheckpoint = try runExecutable(viz, ["distinct", out + "/best.safetensors", "--data", data, "--format", "csv"])
        XCTAssertEqual(byCheckpoint.status, 0, byCheckpoint.err)
        let arrays = ["--interests", dir + "/exp/interests.npy", "--item-embeddings", dir + "/exp/items.npy", "--padding-row",
                      "--histories", dir + "/exp/histories.npy", "--attention", dir + "/exp/attention.npy", "--row-users", dir + "/exp/users.csv"]
        let byArrays = try runExecutable(viz, ["distinct", "--data", data, "--format", "csv"] + arrays)
        XCTAssertEqual(byArrays.status, 0, byArrays.err)
        func stats(_ csv: String) -> [String: Double] {
            var out: [String: Double] = [:]
            for line in csv.split(separator: "\n").dropFirst() {
                let f = line.split(separator: ",")
                if f.count == 6, f[1] != "cos_Z" { out[String(f[1])] = Double(f[2]) }
            }
            return out
        }
        let a = stats(byCheckpoint.out), b = stats(byArrays.out)
        XCTAssertGreaterThan(a.count, 8, byCheckpoint.out)
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        for (k, v) in a { XCTAssertEqual(b[k]!, v, accuracy: 1e-5, k) }
        // A user outside the arrays' rows is refused with one line, not a crash.
        let trainUser = try String(contentsOfFile: data, encoding: .utf8).split(separator: "\n")[1].split(separator: ",")[0]
        let outside = try runExecutable(viz, ["tsne", "--data", data, "--user-ids", String(trainUser), "--split", "train", "--out", dir + "/no.png"] + arrays)
        XCTAssertNotEqual(outside.status, 0)
        XCTAssertTrue(outside.err.contains("has no row in") || outside.err.contains("not a train user") || outside.err.contains("not in"), outside.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/no.png"))
        let fig = try runExecutable(viz, ["tsne", "--data", data, "--users", "2", "--iterations", "100", "--out", dir + "/arrays.png"] + arrays)
        XCTAssertEqual(fig.status, 0, fig.err)
        XCTAssertTrue(fig.out.contains("wrote"), fig.out)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/arrays.png"))
        // Without the attention, Figure 4 shows retrieved items and says so; asked for attended items, one error line.
        let noAttention = Array(arrays.prefix(7)) + Array(arrays.suffix(2))
        let retrieved = try runExecutable(viz, ["tsne", "--data", data, "--users", "2", "--iterations", "100", "--out", dir + "/retrieved.png"] + noAttention)
        XCTAssertEqual(retrieved.status, 0, retrieved.err)
        XCTAssertTrue(retrieved.err.contains("no attention") && retrieved.err.contains("--items retrieved"), retrieved.err)
        assertOneErrorLine(try runExecutable(viz, ["tsne", "--data", data, "--users", "2", "--items", "attended", "--out", dir + "/attended.png"] + noAttention),
                           contains: ["--items attended needs the model's attention"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/attended.png"))
    }

    /// Two `re4 train` processes into one --out: the second refuses, naming the first.
    func testSecondTrainingProcessIntoTheSameFolderIsRefused() throws {
        let dir = makeTempDir()
        let csv = tinyCSV(dir)
        let first = Process()
        first.executableURL = URL(fileURLWithPath: try builtExecutable("re4"))
        first.arguments = ["train", "--data", csv, "--epochs", "10000", "--interests", "2", "--dim", "8", "--hidden", "8",
                           "--negatives", "10", "--threads", "1", "--out", dir + "/r"]
        first.standardOutput = FileHandle.nullDevice; first.standardError = FileHandle.nullDevice
        try first.run()
        defer { if first.isRunning { first.terminate(); first.waitUntilExit() } }
        // Wait until the first one holds the folder (its pid is in the lock file).
        let deadline = Date().addingTimeInterval(60)
        while (try? String(contentsOfFile: dir + "/r/.lock", encoding: .utf8)) != "\(first.processIdentifier)\n" && Date() < deadline {
            usleep(50_000)
        }
        let second = try run(["train", "--data", csv, "--epochs", "1", "--interests", "2", "--dim", "8", "--hidden", "8",
                              "--negatives", "10", "--out", dir + "/r"])
        assertOneErrorLine(second, contains: ["is being trained into by process \(first.processIdentifier)"])
        first.terminate(); first.waitUntilExit()
        XCTAssertTrue(first.terminationStatus != 0 || first.terminationReason == .uncaughtSignal)
    }
}
