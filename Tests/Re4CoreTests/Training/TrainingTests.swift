import Foundation
import XCTest
import TestSupport
@testable import Re4Core

/// A small synthetic data set: 60 users, 40 items in 4 clusters; each user
/// mostly consumes two clusters.
/// The source recorded for in-memory synthetic data.
let syntheticSource = DataSource(data: "synthetic")

func syntheticDataset(users: Int = 60, seed: UInt64 = 3) throws -> Dataset {
    var rng = SeededRandom(seed: seed)
    var log = InteractionLog(source: "synthetic")
    for u in 0..<users {
        let a = rng.below(4), b = (a + 1 + rng.below(3)) % 4
        let m = 8 + rng.below(20)
        for t in 0..<m {
            let c = rng.below(2) == 0 ? a : b
            log.append(user: "u\(u)", item: "i\(c * 10 + rng.below(10))", time: Double(t))
        }
    }
    return try Dataset.build(name: "synthetic", log: log)
}

final class TrainingTests: XCTestCase {
    func smallConfig(base: Bool = false) -> ModelConfig {
        var c = ModelConfig()
        c.interests = 2; c.dim = 8; c.maxLength = 6; c.hidden = 12
        if base { c.lambdaAtt = 0; c.lambdaCt = 0; c.lambdaCs = 0 }
        return c
    }

    func options(epochs: Int = 3) -> TrainingOptions {
        var o = TrainingOptions()
        o.epochs = epochs; o.batchSize = 32; o.negatives = .uniform(count: 10); o.seed = 11; o.threads = 2
        return o
    }

    func files(_ dir: String) -> [String: Data] {
        var out: [String: Data] = [:]
        for f in ["last.safetensors", "best.safetensors", "last.optim.safetensors"] {
            out[f] = FileManager.default.contents(atPath: dir + "/" + f)
        }
        return out
    }

    func testTrainingIsDeterministicAndWritesEverything() throws {
        let ds = try syntheticDataset()
        let a = makeTempDir("a"), b = makeTempDir("b")
        var t1 = try Trainer(dataset: ds, source: syntheticSource, config: smallConfig(), options: options(), out: a)
        try t1.run()
        var t2 = try Trainer(dataset: ds, source: syntheticSource, config: smallConfig(), options: options(), out: b)
        try t2.run()
        XCTAssertEqual(files(a), files(b), "same seed, data and threads → same bytes")
        for f in ["log.jsonl", "log.csv", "items.tsv", "config.json", "best.safetensors"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: a + "/" + f), f)
        }
        let recs = try EpochLog.read(jsonl: a + "/log.jsonl")
        XCTAssertEqual(recs.map(\.epoch), [1, 2, 3])
        XCTAssertTrue(recs.allSatisfy { $0.loss.ct > 0 && $0.loss.cs > 0 && $0.valid["recall@50"] != nil && $0.test["ndcg_re4@20"] != nil })
        XCTAssertLessThan(recs.last!.loss.rec, recs.first!.loss.rec, "the loss goes down")
        let csv = try String(contentsOfFile: a + "/log.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.count, 4)
        XCTAssertEqual(csv[0].split(separator: ",").count, EpochRecord.columns.count)
        // Checkpoint metadata and reload.
        let (m, prov) = try Checkpoint.load(path: a + "/last.safetensors")
        XCTAssertEqual(prov.epoch, 3); XCTAssertEqual(prov.datasetFingerprint, ds.fingerprint)
        XCTAssertEqual(m.config, t1.model.config)
        XCTAssertTrue(m.params.sameValues(as: t1.model.params))
        let (best, bp) = try Checkpoint.load(path: a + "/best.safetensors")
        XCTAssertEqual(bp.epoch, t1.bestEpoch)
        XCTAssertEqual(Evaluator.evaluate(model: best, dataset: ds, part: .valid)["recall@50"]!, t1.bestValid, accuracy: 1e-12)
    }

    func testResumeGivesTheSameBytesAsAnUninterruptedRun() throws {
        let ds = try syntheticDataset()
        let full = makeTempDir("full"), part = makeTempDir("part")
        var t = try Trainer(dataset: ds, source: syntheticSource, config: smallConfig(), options: options(epochs: 3), out: full)
        try t.run()
        var p1 = try Trainer(dataset: ds, source: syntheticSource, config: smallConfig(), options: options(epochs: 2), out: part)
        try p1.run()
        var p2 = try Trainer(dataset: ds, source: syntheticSource, config: smallConfig(), options: options(epochs: 3), out: part)
        try p2.resume()
        try p2.run()
        XCTAssertEqual(files(full), files(part))
        let a = try EpochLog.read(jsonl: full + "/log.jsonl"), b = try EpochLog.read(jsonl: part + "/log.jsonl")
        XCTAssertEqual(a.map(\.valid), b.map(\.valid))
        XCTAssertEqual(a.map(\.loss.total), b.map(\.loss.total))
    }

    func testInterruptedMidEpochThenResumedGivesTheSameBytes() throws {
        let ds = try syntheticDataset()
        let full = makeTempDir("full"), cut = makeTempDir("cut")
        var t = try Trainer(dataset: ds, source: syntheticSource, config: smallConfig(), options: options(epochs: 3), out: full)
        try t.run()
        var a = try Trainer(dataset: ds, source: syntheticSource, config: smallConfig(), options: options(epochs: 3), out: cut)
        defer { StopRequest.requested = false }
        assertThrowsMessage(["interrupted", "epoch 1", "--resume"]) {
            try a.run { event in
                if case .batch(let e, let b, _, _, _) = event, e == 2, b == 2 { StopRequest.requested = true }
            }
        }
        StopRequest.requested = false
        var b = try Trainer(dataset: ds, source: syntheticSource, config: smallConfig(), options: options(epochs: 3), out: cut)
        try b.resume()
        try b.run()
        XCTAssertEqual(files(full), files(cut), "the partial epoch is redone from the last completed one")
    }

    /// `--log-distinctness` and REMI's terms: the extra columns in both logs, read
    /// back; the parameters are those of the same run without the logging.
    func testDistinctnessAndREMIColumnsAreLoggedAndReadBack() throws {
        let ds = try syntheticDataset()
        var c = smallConfig(base: true); c.rlambda = 100; c.rbeta = 1
        var o = options(epochs: 2); o.logDistinctness = true
        let a = makeTempDir("logged"), b = makeTempDir("plain")
        var t = try Trainer(dataset: ds, source: syntheticSource, config: c, options: o, out: a)
        try t.run()
        o.logDistinctness = false
        var u = try Trainer(dataset: ds, source: syntheticSource, config: c, options: o, out: b)
        try u.run()
        XCTAssertEqual(files(a), files(b), "logging the statistics changes no parameter")
        for log in ["log.jsonl", "log.csv"] {
            let recs = try EpochLog.read(path: a + "/" + log)
            XCTAssertEqual(recs.count, 2)
            for r in recs {
                XCTAssertGreaterThan(r.extra["loss_rr"] ?? 0, 0, log)
                XCTAssertEqual(r.loss.rr, r.extra["loss_rr"])
                for k in EpochDistinctness.keys { XCTAssertNotNil(r.extra[k], "\(log) \(k)") }
                let cost = try XCTUnwrap(r.extra["dist_seconds"], "the statistics' own time is logged")
                XCTAssertGreaterThan(cost, 0); XCTAssertLessThan(cost, r.seconds, "a part of the epoch's time")
                XCTAssertEqual(r.extra["dist_cos_U"]!, EpochDistinctness.measure(model: t.model, dataset: ds, users: EpochDistinctness.sample(ds, seed: 11))["dist_cos_U"]!,
                               accuracy: r.epoch == 2 ? 1e-5 : 1, "the last epoch's value is the final model's")
            }
        }
        let header = try String(contentsOfFile: a + "/log.csv", encoding: .utf8).split(separator: "\n")[0]
        XCTAssertTrue(header.hasSuffix(",dist_attention_entropy,dist_attention_top_share,dist_cos_U,dist_cos_U_slot,dist_dead_interest_share,dist_routing_penalty,dist_seconds,loss_rr"), String(header))
        let plain = try String(contentsOfFile: b + "/log.csv", encoding: .utf8).split(separator: "\n")[0]
        XCTAssertEqual(plain.split(separator: ",").count, EpochRecord.columns.count + 1, "only loss_rr without --log-distinctness")
    }

    func testBaseHasNoFlowParametersAndSameStartingEncoder() throws {
        let ds = try syntheticDataset()
        var c = smallConfig(); c.items = ds.itemCount
        var cb = smallConfig(base: true); cb.items = ds.itemCount
        let re4 = MultiInterestModel.initial(config: c, seed: 4), base = MultiInterestModel.initial(config: cb, seed: 4)
        XCTAssertFalse(base.params.has("W3"))
        XCTAssertTrue(re4.params.has("fc_cons.weight"))
        for name in base.params.names { XCTAssertEqual(base.params.values(name), re4.params.values(name), name) }
    }

    func testNonFiniteLossStopsWithTheComponentName() throws {
        let ds = try syntheticDataset()
        var o = options(); o.learningRate = 1e30
        var t = try Trainer(dataset: ds, source: syntheticSource, config: smallConfig(), options: o, out: makeTempDir())
        assertThrowsMessage(["NaN or infinite", "epoch"]) { try t.run() }
    }

    func testCheckpointErrors() throws {
        let ds = try syntheticDataset()
        var c = smallConfig(); c.items = ds.itemCount
        let m = MultiInterestModel.initial(config: c, seed: 1)
        var tensors = m.params.tensors()
        let dir = makeTempDir()
        // Missing tensor.
        var t1 = tensors; t1["W2"] = nil
        try SafeTensors(metadata: c.metadata, tensors: t1).write(path: dir + "/a.st")
        assertThrowsMessage(["a.st", "'W2' is missing"]) { try Checkpoint.load(path: dir + "/a.st") }
        // Wrong shape.
        var t2 = tensors; t2["W2"] = Tensor(zeros: [3, 3])
        try SafeTensors(metadata: c.metadata, tensors: t2).write(path: dir + "/b.st")
        assertThrowsMessage(["b.st", "'W2' has shape [3, 3], expected [8, 8]"]) { try Checkpoint.load(path: dir + "/b.st") }
        // K in metadata differs from the tensors.
        var meta = c.metadata; meta["K"] = "5"
        try SafeTensors(metadata: meta, tensors: tensors).write(path: dir + "/c.st")
        assertThrowsMessage(["c.st", "K = 5", "2 interests"]) { try Checkpoint.load(path: dir + "/c.st") }
        // NaN values.
        var bad = tensors["W1"]!; bad.values[0] = .nan; tensors["W1"] = bad
        try SafeTensors(metadata: c.metadata, tensors: tensors).write(path: dir + "/d.st")
        assertThrowsMessage(["d.st", "'W1'", "NaN"]) { try Checkpoint.load(path: dir + "/d.st") }
        // A plain export without metadata takes its shapes from the tensors.
        try SafeTensors(metadata: [:], tensors: m.params.tensors()).write(path: dir + "/e.st")
        let (plain, _) = try Checkpoint.load(path: dir + "/e.st", fallback: { var f = ModelConfig(); f.maxLength = 6; return f }())
        XCTAssertEqual(plain.config.interests, 2); XCTAssertEqual(plain.config.dim, 8); XCTAssertEqual(plain.config.hidden, 12)
        XCTAssertEqual(plain.config.maxLength, 6); XCTAssertEqual(plain.config.items, ds.itemCount)
    }

    func testEpochLogParsingErrors() {
        assertThrowsMessage(["log.jsonl:3", "not a JSON object"]) { try EpochRecord.parse(jsonLine: "{oops", source: "log.jsonl", line: 3) }
        assertThrowsMessage(["log.jsonl:1", "no 'epoch'"]) { try EpochRecord.parse(jsonLine: "{\"loss\": 1}", source: "log.jsonl", line: 1) }
        // Found by the files fuzzer: a huge epoch number trapped in Int(_:).
        assertThrowsMessage(["log.jsonl:2", "is not an epoch number"]) { try EpochRecord.parse(jsonLine: "{\"epoch\": 1e300}", source: "log.jsonl", line: 2) }
        assertThrowsMessage(["is not an epoch number"]) { try EpochRecord.parse(jsonLine: "{\"epoch\": 2.5}", source: "log.jsonl", line: 2) }
        let r = EpochRecord(epoch: 2, seconds: 1.5, examplesPerSecond: 10, loss: LossBreakdown(), valid: ["recall@50": 0.25], test: [:])
        let back = try? EpochRecord.parse(jsonLine: r.jsonLine, source: "x", line: 1)
        XCTAssertEqual(back?.valid["recall@50"], 0.25)
        XCTAssertEqual(back?.epoch, 2)
        XCTAssertTrue(r.jsonLine.contains("\"test_recall@50\":null"))
    }
}

final class StepBenchmarkTests: XCTestCase {
    func testVariantsSelectWhichObjectivesAreTimed() throws {
        let ds = try syntheticDataset()
        var c = ModelConfig()
        c.interests = 2; c.dim = 8; c.maxLength = 6; c.hidden = 12
        let all = StepBenchmark.run(dataset: ds, base: c, batchSize: 16, negatives: .uniform(count: 10), steps: 1, warmup: 0, threads: 1)
        XCTAssertEqual(all.map(\.name), ["base", "base+att", "base+ct", "base+cs", "re4 (all flows)"])
        let two = StepBenchmark.run(dataset: ds, base: c, batchSize: 16, negatives: .uniform(count: 10), steps: 1, warmup: 0,
                                    threads: 1, only: ["re4", "base+ct"])
        XCTAssertEqual(two.map(\.name), ["base+ct", "re4 (all flows)"])
        XCTAssertTrue(two.allSatisfy { $0.secondsPerStep > 0 && $0.examplesPerSecond.isFinite })
    }
}
