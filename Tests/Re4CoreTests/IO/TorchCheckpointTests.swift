import Foundation
import XCTest
import TestSupport
@testable import Re4Core

/// The PyTorch checkpoint reader against files PyTorch wrote
/// (Tests/Reference/make_torch_fixtures.py, committed) and hostile ones.
final class TorchCheckpointTests: XCTestCase {
    let dir = repositoryRoot + "/Tests/Re4CoreTests/Fixtures/torch/"

    func expected(_ name: String) throws -> [String: (shape: [Int], values: [Double])] {
        let j = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + name + ".expected.json"))) as! [String: [String: Any]]
        return j.mapValues { (($0["shape"] as! [Int]), ($0["values"] as! [Double])) }
    }

    func check(_ file: String, against name: String, accuracy: Double = 0, file f: StaticString = #filePath, line: UInt = #line) throws {
        let st = try TorchCheckpoint.read(path: dir + file)
        let want = try expected(name)
        XCTAssertEqual(Set(st.tensors.keys), Set(want.keys), file: f, line: line)
        for (k, w) in want {
            let t = try XCTUnwrap(st.tensors[k], file: f, line: line)
            XCTAssertEqual(t.shape, w.shape, k, file: f, line: line)
            XCTAssertEqual(t.values.count, w.values.count, k, file: f, line: line)
            for (a, b) in zip(t.values, w.values) { XCTAssertEqual(Double(a), Float(b).isFinite ? Double(Float(b)) : b, accuracy: accuracy, k, file: f, line: line) }
        }
    }

    func testAStateDictPyTorchWroteReadsToTheSameValues() throws {
        try check("re4-base.pt", against: "re4-base")
        XCTAssertEqual(try TorchCheckpoint.read(path: dir + "re4-base.pt").dtypes["W1"], .F32)
    }

    func testAStateDictNestedUnderAKeyIsFound() throws {
        try check("nested.pt", against: "nested")
    }

    func testViewsAndDtypes() throws {
        // Transposed and sliced views are read through their strides and offsets;
        // half, bfloat16, double, int64 and bool become Float.
        try check("views.pt", against: "views")
        let st = try TorchCheckpoint.read(path: dir + "views.pt")
        XCTAssertEqual(st.tensors["transposed"]?.values.prefix(4), [0, 6, 12, 18])
        XCTAssertEqual(st.tensors["sliced"]?.values, [8, 9, 10, 14, 15, 16])
        XCTAssertEqual(st.tensors["scalar"]?.shape, [])
        XCTAssertEqual(st.tensors["flag"]?.values, [1, 0, 1])
    }

    func testAHandMadeArchiveWithAnotherPrefixReads() throws {
        let st = try TorchCheckpoint.read(path: dir + "handmade.pt")
        XCTAssertEqual(st.tensors["w"], Tensor(shape: [4], values: [1, 2, 3, 4]))
    }

    func testTheRe4StateDictLoadsAsAModel() throws {
        let (m, _) = try Checkpoint.load(path: dir + "re4-base.pt")
        XCTAssertEqual(m.config.items, 12); XCTAssertEqual(m.config.dim, 4); XCTAssertEqual(m.config.interests, 2); XCTAssertEqual(m.config.hidden, 6)
        let want = try expected("re4-base")["W1"]!.values
        XCTAssertEqual(m.params.values("W1").map(Double.init), want.map { Double(Float($0)) })
    }

    /// A Re4 state dict saved by PyTorch evaluates to the metrics PyTorch computes on the same weights.
    func testARe4StateDictEvaluatesToPyTorchsMetrics() throws {
        let ds = try ComiRecFiles.read(prefix: dir + "tiny")
        var fallback = ModelConfig(); fallback.maxLength = 6
        let (m, _) = try Checkpoint.load(path: dir + "re4-eval.pt", fallback: fallback)
        XCTAssertEqual(m.config.items, ds.itemCount)
        let ours = Evaluator.evaluate(model: m, dataset: ds, users: ds.users(in: .test))
        let theirs = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "re4-eval.metrics.json"))) as! [String: Double]
        XCTAssertGreaterThan(theirs["recall@20"]!, 0)
        XCTAssertLessThan(theirs["recall@20"]!, 1, "a cut-off that can miss")
        for (k, v) in theirs { XCTAssertEqual(ours[k]!, v, accuracy: 1e-4, k) }
    }

    /// Hostile and malformed files: one clear line each, nothing run. The
    /// os.system pickles would print "pwned" if anything executed them.
    func testHostileAndMalformedFilesAreRefused() {
        let cases: [(String, [String])] = [
            ("os-system.pt", ["'os.system'", "nothing was run"]),
            ("reduce-system.pt", ["'posix.system'", "refused"]),
            ("eval.pt", ["'builtins.eval'"]),
            ("stack-global.pt", ["'posix.system'"]),
            ("missing-storage.pt", ["storage 0", "does not hold"]),
            ("overflow.pt", ["overflow"]),
            ("past-end.pt", ["reaching element 6 of a storage of 4"]),
            ("bomb.pt", ["more than the 16 it may"]),
            ("truncated.pt", ["the pickle ends inside"]),
            ("list.pt", ["not a state dict", "list"]),
            ("not-a-zip.pt", ["not a zip archive", "PyTorch ≥ 1.6"]),
            ("legacy.pt", ["not a zip archive"]),
        ]
        for (file, expect) in cases {
            assertThrowsMessage(expect + [file]) { _ = try TorchCheckpoint.read(path: self.dir + file) }
        }
    }

    /// A 700-byte file whose ZIP64 central directory declares a 10 GB storage
    /// (and a pickle that claims it): refused from the sizes, before any read or allocation.
    func testDeclaredSizesAreCheckedAgainstTheBytesThere() throws {
        let path = makeTempDir() + "/zip64-lie.pt"
        let script = """
            import struct, sys, zipfile
            t = (b"\\x80\\x02}q\\x00X\\x01\\x00\\x00\\x00wq\\x01ctorch._utils\\n_rebuild_tensor_v2\\nq\\x02((X\\x07\\x00\\x00\\x00storageq\\x03"
                 b"ctorch\\nFloatStorage\\nq\\x04X\\x01\\x00\\x00\\x00" b"0q\\x05X\\x03\\x00\\x00\\x00cpuq\\x06\\x8a\\x05\\x00\\x00\\x00\\xa0\\x00tq\\x07QK\\x00K\\x04\\x85q\\x08K\\x01\\x85q\\t"
                 b"\\x89ccollections\\nOrderedDict\\nq\\n)Rq\\x0btq\\x0cRq\\rs.")
            z = zipfile.ZipFile(sys.argv[1], "w", compression=zipfile.ZIP_STORED)
            z.writestr("archive/data.pkl", t)
            z.writestr("archive/data/0", struct.pack("<4f", 1, 2, 3, 4))
            for zi in z.infolist():
                if zi.filename.endswith("data/0"):
                    zi.file_size = 10 << 30; zi.compress_size = 10 << 30
            z.close()
            """
        let (status, out) = runPython(script, args: [path])
        XCTAssertEqual(status, 0, out)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! NSNumber
        XCTAssertLessThan(size.intValue, 2000)
        assertThrowsMessage(["zip64-lie.pt", "declares 10737418240 stored bytes", "the whole file is"]) { _ = try TorchCheckpoint.read(path: path) }
    }
}

/// Text formats are written with their own escaping: protobuf text for the Projector's config.
final class TextFormatEscapingTests: XCTestCase {
    func testProtobufStringsEscapeQuotesBackslashesAndLineBreaks() throws {
        XCTAssertEqual(protobufString("data \"v2\"\\x\nend"), "\"data \\\"v2\\\"\\\\x\\nend\"")
        XCTAssertEqual(protobufString("tab\there"), "\"tab\\there\"")
        let root = URL(fileURLWithPath: repositoryRoot)
        let python = root.appendingPathComponent(".venv-bench/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python),
              (try? runExecutable(python, ["-c", "import tensorboard.plugins.projector.projector_config_pb2"]))?.status == 0 else {
            throw XCTSkip("no tensorboard in .venv-bench to parse the config with")
        }
        let name = "my \"odd\" data\\set\nv2"
        let config = "embeddings {\n  tensor_name: \(protobufString(name))\n}\n"
        let r = try runExecutable(python, ["-c", """
            import sys
            from google.protobuf import text_format
            from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig
            c = text_format.Parse(sys.argv[1], ProjectorConfig())
            sys.stdout.write(c.embeddings[0].tensor_name)
            """, config])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, name, "TensorBoard's own parser reads the name back")
    }
}
