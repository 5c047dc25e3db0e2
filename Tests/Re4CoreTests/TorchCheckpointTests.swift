import Foundation
import XCTest
import TestSupport
@testable import Re4Core

/// The PyTorch checkpoint reader against files PyTorch wrote
/// (bench/reference/make_torch_fixtures.py, committed) and hostile ones.
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
}
