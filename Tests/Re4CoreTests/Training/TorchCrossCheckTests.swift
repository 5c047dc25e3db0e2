import Foundation
import XCTest
import TestSupport
@testable import Re4Core

/// The whole objective (losses and every parameter gradient) against PyTorch
/// autograd in double precision, on the same weights, batch and negatives.
/// Runs where the benchmark environment exists (`bench/setup-venv.sh`); CI's
/// fresh machines skip it (torch is a 3 GB wheel, installed once per machine).
final class TorchCrossCheckTests: XCTestCase {
    func testLossesAndGradientsMatchPyTorch() throws {
        let root = URL(fileURLWithPath: repositoryRoot)
        let python = root.appendingPathComponent(".venv-bench/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else { throw XCTSkip("no .venv-bench (bench/setup-venv.sh)") }
        // A benchmark environment made for other tools (openTSNE only, say) may lack torch.
        guard (try? runExecutable(python, ["-c", "import torch, safetensors"]))?.status == 0 else {
            throw XCTSkip("torch is not installed in .venv-bench (bench/setup-venv.sh installs it)")
        }
        var t = TinyProblem(lambdas: (0.3, 0.5, 0.7))
        t.config.tau = 0.1
        t.model.config.tau = 0.1
        let softmax = SampledSoftmax(mode: .uniform(count: 6))
        var rng = SeededRandom(seed: 4)
        let cand = softmax.candidates(targets: t.targets, items: t.config.items, rng: &rng)
        var grads = t.model.params.zeros()
        let ours = t.model.lossAndGradients(t.batch(), candidates: cand, softmax: softmax, grads: &grads)
        let dir = makeTempDir()
        try SafeTensors(tensors: t.model.params.tensors()).write(path: dir + "/w.safetensors")
        let batch: [String: Tensor] = [
            "hist": Tensor(shape: [t.B, t.config.maxLength], values: t.items.map(Float.init)),
            "targets": Tensor(shape: [t.B], values: t.targets.map(Float.init)),
            "negatives": Tensor(shape: [cand.count], values: cand.map(Float.init)),
            "lambdas": Tensor(shape: [3], values: [t.config.lambdaAtt, t.config.lambdaCt, t.config.lambdaCs]),
            "tau": Tensor(shape: [1], values: [t.model.config.tau]),
        ]
        try SafeTensors(tensors: batch).write(path: dir + "/b.safetensors")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [root.appendingPathComponent("Tests/Reference/torch_check.py").path, dir + "/w.safetensors", dir + "/b.safetensors", dir + "/out.safetensors"]
        let err = Pipe(); p.standardError = err
        try p.run(); p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        let ref = try SafeTensors.read(path: dir + "/out.safetensors")
        for (name, v) in [("loss_rec", ours.rec), ("loss_att", ours.att), ("loss_ct", ours.ct), ("loss_cs", ours.cs), ("loss_total", ours.total)] {
            let r = Double(ref.tensors[name]!.values[0])
            print("torch check \(name): ours \(v), torch \(r)")
            XCTAssertEqual(v, r, accuracy: 1e-4 * max(1, abs(r)), name)
        }
        for (i, name) in t.model.params.names.enumerated() {
            let a = grads.buffers[i].array, b = ref.tensors["grad/" + name]!.values
            var diff = 0.0, norm = 0.0
            for j in a.indices { diff += Double(a[j] - b[j]) * Double(a[j] - b[j]); norm += Double(b[j]) * Double(b[j]) }
            let rel = norm > 0 ? (diff / norm).squareRoot() : diff.squareRoot()
            print("torch check grad \(name): relative difference \(String(format: "%.2e", rel))")
            XCTAssertLessThan(rel, 1e-3, name)
        }
    }
}
