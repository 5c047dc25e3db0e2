import Foundation
import XCTest
import TestSupport
@testable import Re4Core

/// The PyTorch ComiRec port's models (docs/interop.md) against a PyTorch run of
/// the same computation on the same weights (Tests/Reference/make_torch_fixtures.py,
/// `ports()`; files committed): the state dicts as the port saves them, the
/// interests of the test users, and the test metrics.
final class PortModelTests: XCTestCase {
    let dir = repositoryRoot + "/Tests/Re4CoreTests/Fixtures/torch/"

    struct Expected { var users: [Int]; var interests: [Double]; var metrics: [String: Double]; var initialLogits: [Double]? }

    func expected(_ name: String) throws -> Expected {
        let j = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + name + ".expected.json"))) as! [String: Any]
        return Expected(users: j["users"] as! [Int], interests: j["interests"] as! [Double],
                        metrics: j["metrics"] as! [String: Double], initialLogits: j["initial_logits"] as? [Double])
    }

    func load(_ name: String, mind: Bool = false) throws -> (MultiInterestModel, Dataset) {
        let ds = try ComiRecFiles.read(prefix: dir + "tiny")
        var fallback = ModelConfig()
        if mind { fallback.maxLength = 6; fallback.interests = 3; fallback.portReluLayer = true }
        let (m, _) = try Checkpoint.load(path: dir + name + ".pt", fallback: fallback)
        return (m, ds)
    }

    /// The interests of the test users, by the toolkit's own batches (most recent first).
    func interests(_ m: MultiInterestModel, _ ds: Dataset, users: [Int], encoder: (any InterestEncoder)? = nil) -> [Float] {
        let L = m.config.maxLength
        var items: [Int32] = []
        for u in users { items += ds.history(user: u, cut: ds.evaluationCut(user: u), length: L) }
        var scratch = [Int32](repeating: -1, count: m.config.items + 1)
        let batch = m.batch(items: items, B: users.count, targets: [], scratch: &scratch)
        let st = (encoder ?? m.encoder).forward(batch, m.params)
        // The attention the analyses read: rows over the valid slots sum to 1.
        for b in 0..<users.count { for k in 0..<m.config.interests {
            var s: Float = 0
            for l in 0..<L { s += st.A[(b * m.config.interests + k) * L + l] }
            XCTAssertEqual(s, 1, accuracy: 1e-5)
        } }
        return Array(UnsafeBufferPointer(start: st.U.p, count: users.count * m.config.interests * m.config.dim))
    }

    func assertClose(_ ours: [Float], _ theirs: [Double], _ what: String, line: UInt = #line) {
        XCTAssertEqual(ours.count, theirs.count, what, line: line)
        let scale = theirs.map(abs).max() ?? 1
        XCTAssertGreaterThan(scale, 0, line: line)
        for (i, (a, b)) in zip(ours, theirs).enumerated() {
            XCTAssertEqual(Double(a), b, accuracy: 2e-5 * scale, "\(what)[\(i)]", line: line)
        }
    }

    func testComiRecSAOfThePortMatchesPyTorch() throws {
        let (m, ds) = try load("port-sa")
        XCTAssertEqual(m.config.encoder, .portComiRecSA)
        XCTAssertEqual([m.config.items, m.config.dim, m.config.interests, m.config.maxLength], [30, 8, 3, 6])
        XCTAssertTrue(m.config.isBase)
        let want = try expected("port-sa")
        assertClose(interests(m, ds, users: want.users), want.interests, "U")
        let ours = Evaluator.evaluate(model: m, dataset: ds, users: ds.users(in: .test))
        XCTAssertEqual(ds.users(in: .test), want.users)
        for (k, v) in want.metrics { XCTAssertEqual(ours[k]!, v, accuracy: 1e-4, k) }
    }

    func testComiRecDROfThePortMatchesPyTorch() throws {
        let (m, ds) = try load("port-dr")
        XCTAssertEqual(m.config.encoder, .portComiRecDR)
        XCTAssertEqual([m.config.interests, m.config.maxLength], [3, 6])
        let want = try expected("port-dr")
        assertClose(interests(m, ds, users: want.users), want.interests, "U")
        let ours = Evaluator.evaluate(model: m, dataset: ds, users: ds.users(in: .test))
        for (k, v) in want.metrics { XCTAssertEqual(ours[k]!, v, accuracy: 1e-4, k) }
    }

    /// MIND starts its routing from random logits; the test gives ours PyTorch's draw.
    func testMINDOfThePortMatchesPyTorchFromTheSameStart() throws {
        let (m, ds) = try load("port-mind", mind: true)
        XCTAssertEqual(m.config.encoder, .portMIND)
        let want = try expected("port-mind")
        var enc = PortCapsuleEncoder(config: m.config)
        let b0 = try XCTUnwrap(want.initialLogits)
        enc.initialLogits = FloatBuffer(b0.count)
        for (i, v) in b0.enumerated() { enc.initialLogits![i] = Float(v) }
        assertClose(interests(m, ds, users: want.users, encoder: enc), want.interests, "U")
        // Without the hook the start is drawn per history: the same history, the same interests.
        let a = interests(m, ds, users: want.users), b = interests(m, ds, users: want.users.reversed())
        let per = m.config.interests * m.config.dim
        XCTAssertEqual(Array(a[0..<per]), Array(b[(b.count - per)...]))
        XCTAssertNotEqual(a, interests(m, ds, users: want.users, encoder: enc))
    }

    /// The port's history order matters: read most recent first, the same weights give other interests.
    func testThePortsPositionsAreChronological() throws {
        let (m, ds) = try load("port-sa")
        let want = try expected("port-sa")
        var c = m.config; c.encoder = .comirecSA
        // The toolkit's own SA encoder reads the same table by slot (most recent first) when given
        // the same weights under its names with zero biases; its interests differ.
        var p = ParameterSet()
        p.add(MultiInterestModel.embeddingName, shape: [31, 8], values: m.params.values(MultiInterestModel.embeddingName))
        p.add("position_embedding", shape: [6, 8], values: m.params.values("position_embedding"))
        let w1 = m.params.values("linear1.0.weight"), w2 = m.params.values("linear2.weight")
        p.add("sa.Wa", shape: [8, 32], values: (0..<(8 * 32)).map { w1[($0 % 32) * 8 + $0 / 32] })
        p.add("sa.ba", shape: [32])
        p.add("sa.Wb", shape: [32, 3], values: (0..<(32 * 3)).map { w2[($0 % 3) * 32 + $0 / 3] })
        p.add("sa.bb", shape: [3])
        let other = MultiInterestModel(config: c, params: p)
        let u = interests(other, ds, users: want.users)
        let maxDiff = zip(u, want.interests).map { abs(Double($0) - $1) }.max()!
        XCTAssertGreaterThan(maxDiff, 1e-3, "slot order must differ from the port's chronological order")
        // Users whose history fills fewer than L slots and is one item long would agree; this data has longer ones.
    }

    func testThePortsModelsCannotBeTrained() {
        for k in [EncoderKind.portComiRecSA, .portComiRecDR, .portMIND] {
            var c = ModelConfig(); c.encoder = k
            assertThrowsMessage(["--encoder \(k.rawValue)", "analysis only", "re4, comirec-sa, comirec-dr"]) { try Limits.check(c) }
        }
    }

    func testAPortStateDictWithAMissingOrMisshapenTensorIsRefused() throws {
        var st = try Checkpoint.readTensors(path: dir + "port-sa.pt")
        st.tensors["linear1.0.weight"] = Tensor(shape: [31, 8], values: [Float](repeating: 0, count: 248))
        assertThrowsMessage(["linear1.0.weight", "[32, 8]"]) { _ = try Checkpoint.load(st, source: "sa.pt") }
        st.tensors["linear1.0.weight"] = nil
        assertThrowsMessage(["linear1.0.weight"]) { _ = try Checkpoint.load(st, source: "sa.pt") }
        // The relu layer is needed only with --relu-layer: without it the file loads, with the same interests.
        let full = try Checkpoint.readTensors(path: dir + "port-dr.pt")
        var dr = full
        dr.tensors["capsule_network.relu.0.weight"] = nil
        let (a, _) = try Checkpoint.load(dr, source: "dr.pt")
        let (b, _) = try Checkpoint.load(full, source: "dr.pt")
        XCTAssertEqual(a.config.encoder, .portComiRecDR)
        XCTAssertFalse(a.params.names.contains("capsule_network.relu.0.weight"))
        XCTAssertTrue(a.params.p("capsule_network.w")[0] == b.params.p("capsule_network.w")[0])
        var relu = ModelConfig(); relu.portReluLayer = true
        assertThrowsMessage(["capsule_network.relu.0.weight"]) { _ = try Checkpoint.load(dr, source: "dr.pt", fallback: relu) }
        XCTAssertNoThrow(try Checkpoint.load(full, source: "dr.pt", fallback: relu))
    }
}
