import Foundation
import XCTest
import TestSupport
@testable import Re4Core

/// `re4 evaluate` on a plain PyTorch-style export (state_dict names, no
/// metadata) must give the metrics an independent implementation gives.
final class InteropTests: XCTestCase {
    func testEvaluationAgreesWithIndependentNumPyImplementation() throws {
        let probe = runPython("import safetensors.numpy, numpy")
        if probe.0 != 0 {
            if ProcessInfo.processInfo.environment["CI"] != nil { XCTFail("CI must have numpy + safetensors: \(probe.1)") }
            throw XCTSkip("python3 with numpy and safetensors is not installed (make test installs it)")
        }
        let ds = try syntheticDataset(users: 80)
        var c = ModelConfig()
        c.interests = 3; c.dim = 16; c.maxLength = 8; c.hidden = 24; c.items = ds.itemCount
        c.lambdaAtt = 0; c.lambdaCt = 0; c.lambdaCs = 0
        let model = MultiInterestModel.initial(config: c, seed: 9)
        // Scale the N(0,1) init down so attention is not one-hot and scores spread.
        for i in model.params.names.indices { let b = model.params.buffers[i]; for j in 0..<b.count { b[j] *= 0.3 } }
        let dir = makeTempDir()
        try SafeTensors(metadata: [:], tensors: model.params.tensors()).write(path: dir + "/torch_export.safetensors")
        let users = ds.users(in: .test) + ds.users(in: .valid)
        let hist = users.map { ds.history(user: $0, cut: ds.evaluationCut(user: $0), length: c.maxLength) }
        let truths = users.map { Array(ds.groundTruth(user: $0)) }
        let json = "{\"histories\": \(hist), \"truths\": \(truths)}"
        write(json, dir + "/users.json")
        let script = repositoryRoot + "/Tests/Reference/numpy_re4_eval.py"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", script, dir + "/torch_export.safetensors", dir + "/users.json"]
        let pipe = Pipe(); p.standardOutput = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        let reference = try JSONSerialization.jsonObject(with: out) as! [String: Double]

        var fallback = ModelConfig(); fallback.maxLength = c.maxLength
        let (loaded, _) = try Checkpoint.load(path: dir + "/torch_export.safetensors", fallback: fallback)
        XCTAssertEqual(loaded.config.interests, 3); XCTAssertEqual(loaded.config.hidden, 24)
        let ours = Evaluator.evaluate(model: loaded, dataset: ds, users: users)
        XCTAssertGreaterThan(reference["recall@50"]!, 0, "the check needs some hits to mean anything")
        for name in RankingMetrics.names() {
            XCTAssertEqual(ours[name]!, reference[name]!, accuracy: 1e-9, name)
        }
    }
}
