import Foundation
import XCTest
import TestSupport
@testable import Re4Core

/// The bad-input suite: every command, malformed files and arguments. Each case
/// must exit non-zero, print exactly one line on stderr that names the problem,
/// and leave the working folder exactly as it was (no file created or changed).
final class BadInputSuiteTests: XCTestCase {
    struct Case { let name: String; let tool: String; let args: [String]; let expect: [String] }

    func snapshot(_ dir: String) -> [String: Data] {
        var out: [String: Data] = [:]
        let e = FileManager.default.enumerator(atPath: dir)
        while let f = e?.nextObject() as? String {
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: dir + "/" + f, isDirectory: &isDir)
            out[f] = isDir.boolValue ? Data("<dir>".utf8) : (FileManager.default.contents(atPath: dir + "/" + f) ?? Data())
        }
        return out
    }

    func testEveryCommandRejectsBadInputCleanly() throws {
        _ = try builtExecutable("re4"); _ = try builtExecutable("re4-viz")
        let d = makeTempDir()
        let torch = repositoryRoot + "/Tests/Re4CoreTests/Fixtures/torch/"
        // Fixtures.
        var rng = SeededRandom(seed: 2)
        var rows = "user,item,timestamp\n"
        for u in 0..<40 { for t in 0..<(6 + rng.below(6)) { rows += "u\(u),i\(rng.below(25)),\(t)\n" } }
        write(rows, d + "/good.csv")
        write("a,x,1\na,y,2\nb,x,1\nb,z,2\nc,y,1\nc,z,3\n", d + "/other.csv")
        write("", d + "/empty.csv")
        write("user,item,timestamp\n", d + "/header.csv")
        write("u,i,1\nu,j,noon\n", d + "/badtime.csv")
        write("u,i\nu,j\n", d + "/twocols.csv")
        write("garbage", d + "/garbage.safetensors")
        write("{\"epoch\": 1}\n{broken\n", d + "/bad.jsonl")
        write("1,2\n3,nan\n5,6\n7,8\n9,1\n", d + "/nan.csv")
        write("1,2,3\n4,5,6\n", d + "/three.csv")
        try Npy.write(Tensor(shape: [4], values: [1, 2, 3, 4]), path: d + "/flat.npy")
        var ints = Npy.serialize(Tensor(shape: [2, 2], values: [1, 2, 3, 4]))
        ints.replaceSubrange(ints.range(of: Data("<f4".utf8))!, with: Data("<i4".utf8))
        try ints.write(to: URL(fileURLWithPath: d + "/ints.npy"))
        try Npy.write(Tensor(shape: [10, 3], values: (0..<30).map(Float.init)), path: d + "/small.npy")
        // A real run and checkpoints derived from it.
        let run = try runTool("re4", ["train", "--data", d + "/good.csv", "--epochs", "1", "--batch-size", "64", "--interests", "2", "--dim", "8",
                                      "--hidden", "8", "--negatives", "10", "--threads", "1", "--out", d + "/run"])
        XCTAssertEqual(run.0, 0, run.2)
        let ck = d + "/run/best.safetensors"
        let full = try Data(contentsOf: URL(fileURLWithPath: ck))
        try full.prefix(full.count / 2).write(to: URL(fileURLWithPath: d + "/truncated.safetensors"))
        var st = try SafeTensors.read(path: ck)
        var w = st.tensors["W2"]!; w.values[3] = .nan; st.tensors["W2"] = w
        try st.write(path: d + "/nan.safetensors")
        write("x", d + "/afile")
        // ComiRec files: an id that would size a 2-billion-row embedding; a user in two splits.
        for (part, rows) in [("train", "1,1,0\n1,2,1\n184,2000000000,4\n"), ("valid", "2,1,0\n2,2,1\n"), ("test", "3,1,0\n3,2,1\n")] {
            write(rows, d + "/huge_\(part).txt")
        }
        for (part, rows) in [("train", "a,1,0\na,2,1\nb,2,0\nb,3,1\n"), ("valid", "c,1,0\nc,3,1\n"), ("test", "a,1,0\na,3,1\n")] {
            write(rows, d + "/dup_\(part).txt")
        }
        write("{\"epoch\":1,\"loss\":NaN}\n", d + "/nan.jsonl")

        let cases: [Case] = [
            Case(name: "unknown data set", tool: "re4", args: ["data", "stats", "ml-20m"], expect: ["unknown data set"]),
            Case(name: "archive: not a run folder", tool: "re4", args: ["archive", d, "--into", d], expect: [d, "cannot archive", "no config.json"]),
            Case(name: "archive: no archive folder", tool: "re4", args: ["archive", d + "/run", "--into", d + "/nowhere"], expect: ["nowhere"]),
            Case(name: "missing file", tool: "re4", args: ["data", "stats", d + "/nope.csv"], expect: ["nope.csv", "no such file"]),
            Case(name: "empty file", tool: "re4", args: ["data", "stats", d + "/empty.csv"], expect: ["empty.csv", "no data rows"]),
            Case(name: "header only", tool: "re4", args: ["data", "stats", d + "/header.csv"], expect: ["header.csv", "no data rows"]),
            Case(name: "non-numeric timestamp", tool: "re4", args: ["data", "stats", d + "/badtime.csv"], expect: ["badtime.csv:2", "not a number"]),
            Case(name: "missing column", tool: "re4", args: ["data", "stats", d + "/twocols.csv"], expect: ["twocols.csv:1", "missing"]),
            Case(name: "--columns with two entries", tool: "re4", args: ["data", "stats", d + "/good.csv", "--columns", "1,2"], expect: ["--columns"]),
            Case(name: "bad --item-order", tool: "re4", args: ["data", "stats", d + "/good.csv", "--item-order", "random"], expect: ["--item-order"]),
            Case(name: "negative --k-core", tool: "re4", args: ["data", "stats", d + "/good.csv", "--k-core=-1"], expect: ["--k-core"]),
            Case(name: "fetch unknown", tool: "re4", args: ["data", "fetch", "ml-20m"], expect: ["unknown data set"]),
            Case(name: "K = 0", tool: "re4", args: ["train", "--data", d + "/good.csv", "--interests", "0", "--out", d + "/r1"], expect: ["--interests"]),
            Case(name: "bad --negatives", tool: "re4", args: ["train", "--data", d + "/good.csv", "--negatives", "many", "--out", d + "/r2"], expect: ["--negatives"]),
            Case(name: "bad --sampler", tool: "re4", args: ["train", "--data", d + "/good.csv", "--sampler", "zipf", "--out", d + "/r3"], expect: ["--sampler"]),
            Case(name: "bad --encoder", tool: "re4", args: ["train", "--data", d + "/good.csv", "--encoder", "mind", "--out", d + "/r4"], expect: ["--encoder"]),
            Case(name: "negative λ", tool: "re4", args: ["train", "--data", d + "/good.csv", "--lambda-ct=-1", "--out", d + "/r5"], expect: ["--lambda-ct"]),
            Case(name: "batch size 0", tool: "re4", args: ["train", "--data", d + "/good.csv", "--batch-size", "0", "--out", d + "/r6"], expect: ["--batch-size"]),
            Case(name: "output under a file", tool: "re4", args: ["train", "--data", d + "/good.csv", "--out", d + "/afile/run"], expect: ["not a writable folder"]),
            Case(name: "existing run without --resume", tool: "re4", args: ["train", "--data", d + "/good.csv", "--out", d + "/run"], expect: ["holds a run", "--replace"]),
            Case(name: "--resume with nothing saved", tool: "re4", args: ["train", "--data", d + "/good.csv", "--resume", "--out", d + "/fresh"], expect: ["nothing to resume"]),
            Case(name: "corrupt checkpoint", tool: "re4", args: ["evaluate", "--checkpoint", d + "/garbage.safetensors", "--data", d + "/good.csv"], expect: ["not a valid safetensors"]),
            Case(name: "truncated checkpoint", tool: "re4", args: ["evaluate", "--checkpoint", d + "/truncated.safetensors", "--data", d + "/good.csv"], expect: ["truncated.safetensors"]),
            Case(name: "checkpoint from other data", tool: "re4", args: ["evaluate", "--checkpoint", ck, "--data", d + "/other.csv"], expect: ["fingerprint"]),
            Case(name: "NaN weights", tool: "re4", args: ["evaluate", "--checkpoint", d + "/nan.safetensors", "--data", d + "/good.csv"], expect: ["'W2'", "NaN"]),
            Case(name: "bad --split", tool: "re4", args: ["evaluate", "--checkpoint", ck, "--data", d + "/good.csv", "--split", "dev"], expect: ["--split"]),
            Case(name: "export bad --split", tool: "re4", args: ["export", "--checkpoint", ck, "--data", d + "/good.csv", "--split", "dev", "--out", d + "/exp"], expect: ["--split"]),
            Case(name: "t-SNE NaN input", tool: "re4-viz", args: ["embed", d + "/nan.csv", "--out", d + "/y.npy"], expect: ["nan.csv", "row 2", "NaN"]),
            Case(name: "arrays: interests not users × K × d", tool: "re4-viz", args: ["tsne", "--interests", d + "/small.npy", "--item-embeddings", d + "/small.npy", "--out", d + "/f.png"], expect: ["small.npy", "users × K × d"]),
            Case(name: "arrays: item embeddings alone", tool: "re4-viz", args: ["distinct", "--item-embeddings", d + "/small.npy"], expect: ["--item-embeddings goes with --interests"]),
            Case(name: "arrays: interests without items", tool: "re4-viz", args: ["distinct", "--interests", d + "/small.npy"], expect: ["--item-embeddings"]),
            Case(name: "arrays and a checkpoint", tool: "re4-viz", args: ["distinct", ck, "--interests", d + "/small.npy", "--item-embeddings", d + "/small.npy"], expect: ["not both"]),
            Case(name: "t-SNE perplexity too large", tool: "re4-viz", args: ["embed", d + "/small.npy", "--out", d + "/y.npy"], expect: ["perplexity 30.0 is too large"]),
            Case(name: "t-SNE int .npy", tool: "re4-viz", args: ["embed", d + "/ints.npy", "--out", d + "/y.npy"], expect: ["ints.npy", "not supported"]),
            Case(name: "t-SNE 1-D .npy", tool: "re4-viz", args: ["embed", d + "/flat.npy", "--out", d + "/y.npy"], expect: ["2-D"]),
            Case(name: "t-SNE output folder missing", tool: "re4-viz", args: ["embed", d + "/small.npy", "--out", d + "/no/y.npy"], expect: ["does not exist"]),
            Case(name: "t-SNE checkpoint outside a run folder without --data", tool: "re4-viz", args: ["tsne", d + "/nan.safetensors", "--out", d + "/f.png"], expect: ["--data"]),
            Case(name: "curves malformed log", tool: "re4-viz", args: ["curves", d + "/bad.jsonl", "--out", d + "/c.png"], expect: ["bad.jsonl:2"]),
            Case(name: "curves unknown metric", tool: "re4-viz", args: ["curves", d + "/run/log.jsonl", "--metrics", "test_auc", "--out", d + "/c.png"], expect: ["unknown metric"]),
            Case(name: "curves label count", tool: "re4-viz", args: ["curves", d + "/run/log.jsonl", "--labels", "a,b", "--out", d + "/c.png"], expect: ["--labels"]),
            Case(name: "curves unknown format", tool: "re4-viz", args: ["curves", d + "/run/log.jsonl", "--out", d + "/c.gif"], expect: ["unknown figure format"]),
            Case(name: "distinct bad --format", tool: "re4-viz", args: ["distinct", ck, "--data", d + "/good.csv", "--format", "xml"], expect: ["--format"]),
            Case(name: "distinct other data", tool: "re4-viz", args: ["distinct", ck, "--data", d + "/other.csv"], expect: ["fingerprint"]),
            Case(name: "unknown option", tool: "re4", args: ["train", "--data", d + "/good.csv", "--epochz", "3", "--out", d + "/r7"], expect: ["--epochz", "--help"]),
            Case(name: "missing required option", tool: "re4-viz", args: ["embed", d + "/small.npy"], expect: ["--out"]),
            Case(name: "scatter N × 3", tool: "re4-viz", args: ["scatter", "--points", d + "/three.csv", "--out", d + "/s.png"], expect: ["N × 2"]),
            Case(name: "figures: no runs", tool: "re4-viz", args: ["figures", "--runs", d, "--prefix", "nothing", "--data", d + "/good.csv", "--out", d],
                 expect: ["no runs named nothing-<variant>-s<seed>"]),
            Case(name: "figures: missing runs folder", tool: "re4-viz", args: ["figures", "--runs", d + "/absent", "--prefix", "x", "--data", d + "/good.csv", "--out", d],
                 expect: ["absent", "cannot list"]),
            Case(name: "figures: missing archive", tool: "re4-viz", args: ["figures", "--runs", d, "--archive", d + "/no-archive", "--prefix", "x", "--out", d],
                 expect: ["no-archive", "cannot list"]),
            Case(name: "figures: output folder missing", tool: "re4-viz", args: ["figures", "--runs", d, "--prefix", "x", "--data", d + "/good.csv", "--out", d + "/nope"],
                 expect: ["nope", "does not exist"]),
            Case(name: "figures: --ablation-epochs 0", tool: "re4-viz", args: ["figures", "--runs", d, "--prefix", "x", "--data", d + "/good.csv", "--out", d, "--ablation-epochs", "0"],
                 expect: ["--ablation-epochs"]),
            // The second corpus (issue 14): sizes, inputs as outputs, values that mean nothing, wrong data, odd content.
            Case(name: "train --dim 100000", tool: "re4", args: ["train", "--data", d + "/good.csv", "--dim", "100000", "--out", d + "/r8"], expect: ["--dim 100000", "between 1 and 4096"]),
            Case(name: "train --interests above the items", tool: "re4", args: ["train", "--data", d + "/good.csv", "--interests", "100", "--out", d + "/r8"], expect: ["--interests 100", "only 25 items"]),
            Case(name: "train --negatives above the items", tool: "re4", args: ["train", "--data", d + "/good.csv", "--negatives", "100000", "--out", d + "/r8"], expect: ["--negatives 100000", "at most 24"]),
            Case(name: "train --threads 100000", tool: "re4", args: ["train", "--data", d + "/good.csv", "--threads", "100000", "--out", d + "/r8"], expect: ["--threads", "between 1 and 256"]),
            Case(name: "train --threads -1", tool: "re4", args: ["train", "--data", d + "/good.csv", "--threads=-1", "--out", d + "/r8"], expect: ["--threads", "got -1"]),
            Case(name: "resume with another λ_ct", tool: "re4", args: ["train", "--data", d + "/good.csv", "--epochs", "2", "--batch-size", "64", "--interests", "2", "--dim", "8",
                                                                     "--hidden", "8", "--negatives", "10", "--lambda-ct", "0", "--out", d + "/run", "--resume"],
                 expect: ["--lambda-ct was 0.1, now 0", "start a new --out"]),
            Case(name: "export other data", tool: "re4", args: ["export", "--checkpoint", ck, "--data", d + "/other.csv", "--out", d + "/x"], expect: ["fingerprint"]),
            Case(name: "t-SNE output is its input", tool: "re4-viz", args: ["embed", d + "/small.npy", "--out", d + "/small.npy", "--perplexity", "2"], expect: ["is the input"]),
            Case(name: "explore output not .html", tool: "re4-viz", args: ["explore", ck, "--out", d + "/page.png"], expect: ["--out", ".html"]),
            Case(name: "explore three checkpoints", tool: "re4-viz", args: ["explore", ck, ck, ck, "--out", d + "/page.html"], expect: ["1 to 2 models"]),
            Case(name: "explore labels mismatch", tool: "re4-viz", args: ["explore", ck, "--labels", "A,B", "--out", d + "/page.html"], expect: ["--labels", "2 names"]),
            Case(name: "explore unknown user", tool: "re4-viz", args: ["explore", ck, "--user-ids", "nobody", "--out", d + "/page.html"], expect: ["'nobody'"]),
            Case(name: "explore sample too small", tool: "re4-viz", args: ["explore", ck, "--out", d + "/run/best.html", "--sample", "2"], expect: ["--sample", "≥ 4"]),
            Case(name: "views runs folder missing", tool: "re4-viz", args: ["views", "--runs", d + "/nowhere", "--prefix", "x", "--out", d + "/v.md"], expect: ["nowhere", "runs folder"]),
            Case(name: "explore --epochs of a run without epoch files", tool: "re4-viz", args: ["explore", d + "/run", "--epochs", "--out", d + "/e.html"], expect: ["epoch-NNN", "--keep-every-epoch"]),
            Case(name: "explore --epochs with --labels", tool: "re4-viz", args: ["explore", ck, ck, "--epochs", "--labels", "a,b", "--out", d + "/e.html"], expect: ["--labels"]),
            Case(name: "views models and a grid", tool: "re4-viz", args: ["views", ck, "--runs", d, "--prefix", "x", "--out", d + "/v.md"], expect: ["not both"]),
            Case(name: "views neither models nor a grid", tool: "re4-viz", args: ["views", "--out", d + "/v.md"], expect: ["--runs and --prefix"]),
            Case(name: "views labels for a grid", tool: "re4-viz", args: ["views", "--runs", d, "--prefix", "x", "--labels", "A", "--out", d + "/v.md"], expect: ["--labels"]),
            Case(name: "views no runs of the prefix", tool: "re4-viz", args: ["views", "--runs", d, "--prefix", "zz", "--out", d + "/v.md"], expect: ["zz-<variant>-s<seed>"]),
            Case(name: "convert a pickle that calls os.system", tool: "re4", args: ["convert", torch + "os-system.pt", d + "/out.safetensors"], expect: ["'os.system'", "nothing was run"]),
            Case(name: "convert a zip bomb", tool: "re4", args: ["convert", torch + "bomb.pt", d + "/out.safetensors"], expect: ["bomb.pt", "more than"]),
            Case(name: "evaluate a .pt with builtins.eval", tool: "re4", args: ["evaluate", "--checkpoint", torch + "eval.pt", "--data", d + "/good.csv"], expect: ["'builtins.eval'"]),
            Case(name: "convert onto its input", tool: "re4", args: ["convert", torch + "re4-base.pt", torch + "re4-base.pt"], expect: ["is the input"]),
            Case(name: "distinct output is a checkpoint", tool: "re4-viz", args: ["distinct", ck, "--out", ck], expect: ["is the input"]),
            Case(name: "compare --labels count", tool: "re4-viz", args: ["compare", "--a", d + "/a.csv", "--b", d + "/b.csv", "--b", d + "/c.csv", "--labels", "A,B"], expect: ["--labels needs 3 names"]),
            Case(name: "distinct --per-user count", tool: "re4-viz", args: ["distinct", ck, "--per-user", d + "/a.csv," + d + "/b.csv"], expect: ["--per-user names 2 file(s) for 1 model(s)"]),
            Case(name: "t-SNE coordinates folder missing", tool: "re4-viz", args: ["tsne", ck, "--out", d + "/f.png", "--coords-out", d + "/missing/c.csv"], expect: ["missing", "does not exist"]),
            Case(name: "t-SNE --perplexity 1e-300", tool: "re4-viz", args: ["embed", d + "/small.npy", "--out", d + "/y.npy", "--perplexity", "1e-300"], expect: ["--perplexity", "≥ 1"]),
            Case(name: "curves --dpi 3000", tool: "re4-viz", args: ["curves", d + "/run/log.jsonl", "--out", d + "/c.png", "--dpi", "3000"], expect: ["--dpi 3000", "M pixels"]),
            Case(name: "curves --dpi 0", tool: "re4-viz", args: ["curves", d + "/run/log.jsonl", "--out", d + "/c.png", "--dpi", "0"], expect: ["--dpi 0"]),
            Case(name: "curves --size 3", tool: "re4-viz", args: ["curves", d + "/run/log.jsonl", "--out", d + "/c.png", "--size", "3"], expect: ["--size 3", "W,H"]),
            Case(name: "curves --size 90,90 at 200 dpi", tool: "re4-viz", args: ["curves", d + "/run/log.jsonl", "--out", d + "/c.png", "--size", "90,90", "--dpi", "200"], expect: ["90 × 90 in", "M pixels"]),
            Case(name: "scatter --font-size 0", tool: "re4-viz", args: ["scatter", "--points", d + "/small.npy", "--out", d + "/s.png", "--font-size", "0"], expect: ["--font-size 0"]),
            Case(name: "ComiRec id of two billion", tool: "re4", args: ["data", "stats", d + "/huge_train.txt"], expect: ["huge_train.txt:3", "2000000000", "renumber"]),
            Case(name: "ComiRec user in two splits", tool: "re4", args: ["data", "stats", d + "/dup_train.txt"], expect: ["dup_test.txt:1", "'a'", "dup_train.txt"]),
            Case(name: "JSONL with NaN", tool: "re4-viz", args: ["curves", d + "/nan.jsonl", "--out", d + "/c.png"], expect: ["nan.jsonl:1", "NaN", "null"]),
            Case(name: "bench, unknown objective", tool: "re4", args: ["bench", "--data", d + "/good.csv", "--variants", "base,re5"], expect: ["--variants", "'re5'", "base+cs"]),
            Case(name: "bench, no objective", tool: "re4", args: ["bench", "--data", d + "/good.csv", "--variants", ","], expect: ["--variants", "no objective"]),
            Case(name: "t-SNE, unknown memory order", tool: "re4-viz", args: ["embed", d + "/small.npy", "--out", d + "/y.npy", "--memory-order", "hilbert"], expect: ["memory-order", "hilbert"]),
        ]
        XCTAssertGreaterThanOrEqual(cases.count, 25)
        for c in cases {
            let before = snapshot(d)
            let (status, _, err) = try runTool(c.tool, c.args)
            XCTAssertNotEqual(status, 0, "\(c.name): must fail")
            let lines = err.split(separator: "\n", omittingEmptySubsequences: true)
            XCTAssertEqual(lines.count, 1, "\(c.name): exactly one error line, got: \(err)")
            for e in c.expect { XCTAssertTrue(err.contains(e), "\(c.name): '\(err.trimmingCharacters(in: .newlines))' lacks '\(e)'") }
            XCTAssertEqual(snapshot(d), before, "\(c.name): files created or changed")
        }
        print("bad-input suite: \(cases.count) cases")
    }

    func runTool(_ tool: String, _ args: [String]) throws -> (Int32, String, String) {
        try runExecutable(try builtExecutable(tool), args)
    }
}
