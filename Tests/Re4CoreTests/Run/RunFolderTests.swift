import Foundation
import XCTest
import TestSupport
@testable import Re4Core

/// The run folder: typed config, resume checks, the old string format, the
/// best-epoch rule, data reopened from the config.
final class RunFolderTests: XCTestCase {
    func options(epochs: Int = 2) -> TrainingOptions {
        var o = TrainingOptions()
        o.epochs = epochs; o.batchSize = 32; o.negatives = .uniform(count: 10); o.seed = 11; o.threads = 1
        return o
    }

    func smallConfig() -> ModelConfig {
        var c = ModelConfig(); c.interests = 2; c.dim = 8; c.maxLength = 6; c.hidden = 8
        return c
    }

    /// A small CSV data set and its source.
    func csvSource(_ dir: String) -> DataSource {
        writeSyntheticInteractions(dir + "/log.csv", users: 40, extra: 6, items: 25, seed: 4)
        return DataSource(data: dir + "/log.csv")
    }

    func testConfigIsTypedAndRecordsDataAndSessions() throws {
        let dir = makeTempDir()
        let src = csvSource(dir)
        var o = options(); o.threads = 2; o.patience = 3
        try TrainingRun.run(source: src, model: smallConfig(), options: o, out: dir + "/r", resume: false, stopOnSignals: false)
        let obj = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/r/config.json"))) as! [String: Any]
        let model = obj["model"] as! [String: Any], training = obj["training"] as! [String: Any]
        XCTAssertEqual(model["K"] as? Int, 2, "numbers are numbers")
        XCTAssertEqual((training["lr"] as? NSNumber)?.doubleValue ?? 0, 0.003, accuracy: 1e-9)
        XCTAssertEqual(model["encoder"] as? String, "re4", "enums are their names")
        let c = try RunFolder(dir + "/r").readConfig()
        XCTAssertEqual(c.data, src)
        XCTAssertEqual(c.sessions.map(\.threads), [2]); XCTAssertEqual(c.sessions.map(\.patience), [3])
        XCTAssertEqual(c.dataset.parts, try src.load().fingerprintParts)
        XCTAssertEqual(c.dataset.fingerprint, try src.load().fingerprint)
    }

    func testResumeRefusesAChangedSettingAndNamesIt() throws {
        let dir = makeTempDir()
        let src = csvSource(dir)
        try TrainingRun.run(source: src, model: smallConfig(), options: options(epochs: 1), out: dir + "/r", resume: false, stopOnSignals: false)
        let before = try Data(contentsOf: URL(fileURLWithPath: dir + "/r/config.json"))
        var changed = smallConfig(); changed.lambdaCt = 0
        assertThrowsMessage(["--lambda-ct was 0.1, now 0", "start a new --out"]) {
            try TrainingRun.run(source: src, model: changed, options: options(epochs: 2), out: dir + "/r", resume: true, stopOnSignals: false)
        }
        var lr = options(epochs: 2); lr.learningRate = 0.01
        assertThrowsMessage(["--lr was 0.003, now 0.01"]) {
            try TrainingRun.run(source: src, model: smallConfig(), options: lr, out: dir + "/r", resume: true, stopOnSignals: false)
        }
        var std = options(epochs: 2); std.embeddingStd = 0.1
        assertThrowsMessage(["--embedding-std was 1, now 0.1"]) {
            try TrainingRun.run(source: src, model: smallConfig(), options: std, out: dir + "/r", resume: true, stopOnSignals: false)
        }
        var otherSplit = src; otherSplit.splitSeed = 7
        assertThrowsMessage(["--split-seed was 2022, now 7"]) {
            try TrainingRun.run(source: otherSplit, model: smallConfig(), options: options(epochs: 2), out: dir + "/r", resume: true, stopOnSignals: false)
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/r/config.json")), before, "nothing rewritten")
        // Threads, epochs and patience may change; each session is recorded.
        var more = options(epochs: 2); more.threads = 2; more.patience = 4
        let t = try TrainingRun.run(source: src, model: smallConfig(), options: more, out: dir + "/r", resume: true, stopOnSignals: false)
        XCTAssertEqual(t.epochsTrained, 1)
        let c = try RunFolder(dir + "/r").readConfig()
        XCTAssertEqual(c.sessions.map(\.firstEpoch), [1, 2]); XCTAssertEqual(c.sessions.map(\.threads), [1, 2])
    }

    /// `--embedding-std s` scales the same normal draws by s; without it the
    /// draws (and config.json) are as before, no `embedding_std` key.
    func testEmbeddingStdScalesTheInitialEmbeddingOnly() throws {
        var c = smallConfig(); c.items = 30
        let a = MultiInterestModel.initial(config: c, seed: 5), b = MultiInterestModel.initial(config: c, seed: 5, embeddingStd: 0.1)
        let ea = a.params.values(MultiInterestModel.embeddingName), eb = b.params.values(MultiInterestModel.embeddingName)
        for (x, y) in zip(ea, eb) { XCTAssertEqual(y, x * 0.1, accuracy: 1e-7) }
        XCTAssertEqual(a.params.values("W1"), b.params.values("W1"), "the encoder starts the same")
        var o = TrainingOptions(); o.embeddingStd = 0.1
        XCTAssertTrue(String(decoding: try JSONEncoder().encode(o.settings), as: UTF8.self).contains("\"embedding_std\":0.1"))
        XCTAssertFalse(String(decoding: try JSONEncoder().encode(TrainingOptions().settings), as: UTF8.self).contains("embedding_std"))
        o.embeddingStd = 0
        XCTAssertThrowsError(try Limits.check(o))
    }

    func testResumeWithNothingLeftWritesNothing() throws {
        let dir = makeTempDir()
        let src = csvSource(dir)
        try TrainingRun.run(source: src, model: smallConfig(), options: options(epochs: 2), out: dir + "/r", resume: false, stopOnSignals: false)
        let snapshot = try FileManager.default.contentsOfDirectory(atPath: dir + "/r").sorted().map {
            try Data(contentsOf: URL(fileURLWithPath: dir + "/r/" + $0))
        }
        let t = try TrainingRun.run(source: src, model: smallConfig(), options: options(epochs: 2), out: dir + "/r", resume: true, stopOnSignals: false)
        XCTAssertTrue(t.isComplete); XCTAssertEqual(t.epochsTrained, 0)
        let after = try FileManager.default.contentsOfDirectory(atPath: dir + "/r").sorted().map {
            try Data(contentsOf: URL(fileURLWithPath: dir + "/r/" + $0))
        }
        XCTAssertEqual(after, snapshot)
        assertThrowsMessage(["holds a run", "--resume"]) {
            try TrainingRun.run(source: src, model: smallConfig(), options: options(), out: dir + "/r", resume: false, stopOnSignals: false)
        }
    }

    func testVersionOneStringConfigStillOpensAndResumes() throws {
        let dir = makeTempDir()
        let src = csvSource(dir)
        try TrainingRun.run(source: src, model: smallConfig(), options: options(epochs: 1), out: dir + "/r", resume: false, stopOnSignals: false)
        let ds = try src.load()
        // The config as the first round wrote it: every value a string.
        let old: [String: String] = ["encoder": "re4", "K": "2", "d": "8", "L": "6", "H": "8", "n_items": "\(ds.itemCount)",
                                     "lambda_att": "0.001", "lambda_ct": "0.1", "lambda_cs": "0.1", "tau": "0.02", "routing_iterations": "3",
                                     "epochs": "1", "batch_size": "32", "lr": "0.003", "weight_decay": "1e-06", "seed": "11",
                                     "negatives": "uniform(count: 10)", "sampling": "epoch", "lazy_adam": "false",
                                     "dataset": "log", "dataset_fingerprint": ds.fingerprint, "selection": "best validation recall@50"]
        try JSONSerialization.data(withJSONObject: old).write(to: URL(fileURLWithPath: dir + "/r/config.json"))
        let c = try RunFolder(dir + "/r").readConfig()
        XCTAssertTrue(c.legacy)
        XCTAssertEqual(c.training.negatives, RunConfig.NegativeSampling(.uniform(count: 10)))
        XCTAssertEqual(c.model.lambdaCt, 0.1); XCTAssertEqual(c.training.batchSize, 32)
        let t = try TrainingRun.run(source: src, model: smallConfig(), options: options(epochs: 2), out: dir + "/r", resume: true, stopOnSignals: false)
        XCTAssertEqual(t.epochsTrained, 1)
        XCTAssertFalse(try RunFolder(dir + "/r").readConfig().legacy, "rewritten in the current format")
        write("{\"K\": [4]}", dir + "/r/config.json")
        assertThrowsMessage(["config.json", "\"K\" is not a string or number"]) { try RunFolder(dir + "/r").readConfig() }
    }

    func testAnalysisReopensTheDataAsTrained() throws {
        let dir = makeTempDir()
        var src = csvSource(dir)
        src.itemOrder = .popularity; src.splitSeed = 5
        try TrainingRun.run(source: src, model: smallConfig(), options: options(epochs: 1), out: dir + "/r", resume: false, stopOnSignals: false)
        // No data options at all: the config supplies them.
        let r = try RunData.open(checkpoints: [dir + "/r/best.safetensors"], request: DataRequest(), allowMismatch: false)
        XCTAssertEqual(r.source, src)
        XCTAssertEqual(r.dataset.fingerprint, try src.load().fingerprint)
        XCTAssertTrue(r.warnings.isEmpty)
        // An option given explicitly wins, and the mismatch names it.
        assertThrowsMessage(["--split-seed was 5, now 2022", "--allow-mismatch"]) {
            try RunData.open(checkpoints: [dir + "/r/best.safetensors"], request: DataRequest(splitSeed: 2022), allowMismatch: false)
        }
        assertThrowsMessage(["give --data"]) {
            try RunData.open(checkpoints: [dir + "/elsewhere.safetensors"], request: DataRequest(), allowMismatch: false)
        }
    }

    func testBestEpochRule() {
        func rec(_ e: Int, _ v: Double?) -> EpochRecord {
            EpochRecord(epoch: e, seconds: 1, examplesPerSecond: 1, loss: LossBreakdown(), valid: v.map { ["recall@50": $0] } ?? [:], test: ["recall@50": 9])
        }
        // Highest validation score, earliest on ties, the test set never decides.
        XCTAssertEqual(BestEpoch.best([rec(3, 0.2), rec(1, 0.1), rec(2, 0.2)])?.epoch, 2)
        XCTAssertEqual(BestEpoch.best([rec(1, 0.3), rec(2, 0.4), rec(3, 0.5)], within: 2)?.epoch, 2)
        XCTAssertNil(BestEpoch.best([rec(1, nil), rec(2, .nan)]))
        XCTAssertTrue(BestEpoch.improves(0.2, on: 0.1)); XCTAssertFalse(BestEpoch.improves(0.2, on: 0.2))
    }

    func testThreadCountIsBoundPerCallNotGlobal() {
        XCTAssertEqual(Threads.count, 1)
        let inside = Threads.run(3) { Threads.count }
        XCTAssertEqual(inside, 3)
        XCTAssertEqual(Threads.count, 1, "nothing left behind")
    }

    func testRatingsCSVPicksUpMoviesBesideIt() throws {
        let dir = makeTempDir()
        write("userId,movieId,rating,timestamp\n1,10,4,1\n1,20,3,2\n2,10,5,1\n2,30,2,3\n", dir + "/ratings.csv")
        write("movieId,title,genres\n10,A (1990),Drama|War\n20,B (1991),Comedy\n30,C (1992),Drama\n", dir + "/movies.csv")
        let ds = try DataSource(data: dir + "/ratings.csv").load()
        XCTAssertTrue(ds.hasCategories)
        XCTAssertEqual(ds.itemCategories[1], ["Drama", "War"])
    }

    func testExportWritesHistoriesTopListsAndItemMap() throws {
        let dir = makeTempDir()
        let src = csvSource(dir)
        let ds = try src.load()
        var c = smallConfig(); c.items = ds.itemCount
        let m = MultiInterestModel.initial(config: c, seed: 3)
        let n = try Export.write(model: m, dataset: ds, part: .test, top: 5, to: dir + "/x", threads: 2)
        let h = try Data(contentsOf: URL(fileURLWithPath: dir + "/x/histories.npy"))
        XCTAssertTrue(String(decoding: h.prefix(80), as: UTF8.self).contains("'descr': '<i4'"))
        XCTAssertTrue(String(decoding: h.prefix(80), as: UTF8.self).contains("(\(n), 6)"))
        // Row 0's first history item is the test user's most recent item before the cut.
        let u = ds.users(in: .test)[0]
        let start = 10 + Int(h[8]) + Int(h[9]) << 8
        let first = h.withUnsafeBytes { $0.load(fromByteOffset: start, as: Int32.self) }
        XCTAssertEqual(first, ds.sequences[u][ds.evaluationCut(user: u) - 1])
        let top = try Data(contentsOf: URL(fileURLWithPath: dir + "/x/top.npy"))
        XCTAssertTrue(String(decoding: top.prefix(80), as: UTF8.self).contains("(\(n), 2, 5)"))
        XCTAssertEqual(try String(contentsOfFile: dir + "/x/items.tsv", encoding: .utf8), ds.itemMapTSV)
    }
}

extension RunFolderTests {
    /// The Embedding Projector export: one row per item then per interest, metadata aligned, no tab inside a field.
    func testProjectorExportRowsMatchTheMetadata() throws {
        let dir = makeTempDir()
        let src = csvSource(dir)
        var ds = try src.load()
        ds.itemTitles[1] = "A\ttitle\nwith breaks"
        var c = smallConfig(); c.items = ds.itemCount
        let m = MultiInterestModel.initial(config: c, seed: 3)
        let n = try Export.writeProjector(model: m, dataset: ds, part: .test, to: dir + "/p", threads: 1)
        let tensors = try String(contentsOfFile: dir + "/p/tensors.tsv", encoding: .utf8).split(separator: "\n")
        let meta = try String(contentsOfFile: dir + "/p/metadata.tsv", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        XCTAssertEqual(tensors.count, ds.itemCount + n * c.interests)
        XCTAssertEqual(meta.count, tensors.count + 1, "a header, then one line per row")
        XCTAssertTrue(meta.allSatisfy { $0.split(separator: "\t", omittingEmptySubsequences: false).count == 6 })
        XCTAssertEqual(meta[1].split(separator: "\t", omittingEmptySubsequences: false)[2], "A title with breaks")
        XCTAssertEqual(tensors[0].split(separator: "\t").compactMap { Float($0) }, Array(m.params.values(MultiInterestModel.embeddingName)[c.dim..<(2 * c.dim)]))
        XCTAssertTrue(meta.last!.hasPrefix("interest\t"))
        XCTAssertTrue(try String(contentsOfFile: dir + "/p/projector_config.pbtxt", encoding: .utf8).contains("metadata_path: \"metadata.tsv\""))
    }
}

/// Per-user metrics: by hand, and their mean is the reported metric.
final class PerUserMetricsTests: XCTestCase {
    func testPerUserValuesByHandAndTheirMeanIsTheMetric() throws {
        // Top list [5, 1, 9, 2], truth [1, 2, 7]: hits at ranks 1 and 3.
        let v = RankingMetrics.perUser(top: [5, 1, 9, 2], truth: [1, 2, 7], cutoffs: [2, 4])
        let g = { (r: Double) in 1 / log2(r + 2) }
        XCTAssertEqual(RankingMetrics.names(cutoffs: [2, 4]).prefix(3), ["recall@2", "ndcg@2", "hitrate@2"])
        XCTAssertEqual(v[0], 1.0 / 3, accuracy: 1e-12)                     // recall@2: one of three
        XCTAssertEqual(v[1], g(1) / (g(0) + g(1)), accuracy: 1e-12)        // ndcg@2, standard IDCG over min(3, 2)
        XCTAssertEqual(v[2], 1)                                            // hitrate@2
        XCTAssertEqual(v[5], 2.0 / 3, accuracy: 1e-12)                     // recall@4
        XCTAssertEqual(v[6], (g(1) + g(3)) / (g(0) + g(1) + g(2)), accuracy: 1e-12)
        XCTAssertEqual(v[8], (g(1) + g(3)) / (g(0) + g(1)), accuracy: 1e-12) // ndcg_comirec@4: IDCG over the 2 hits
        // On a real model, the per-user CSV averages to what evaluate reports.
        let dir = makeTempDir()
        writeSyntheticInteractions(dir + "/log.csv", users: 40, extra: 6, items: 25, seed: 4)
        let ds = try DataSource(data: dir + "/log.csv").load()
        var c = ModelConfig(); c.interests = 2; c.dim = 8; c.hidden = 8; c.items = ds.itemCount
        let m = MultiInterestModel.initial(config: c, seed: 2)
        let users = ds.users(in: .test)
        let csv = Evaluator.perUserCSV(model: m, dataset: ds, users: users, cutoffs: [20, 50])
        let rows = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        XCTAssertEqual(rows.count, users.count + 1)
        XCTAssertEqual(rows[0].map(String.init), ["user", "split"] + RankingMetrics.names())
        let mean = rows.dropFirst().map { Double($0[7])! }.reduce(0, +) / Double(users.count)   // recall@50
        XCTAssertEqual(mean, Evaluator.evaluate(model: m, dataset: ds, users: users)["recall@50"]!, accuracy: 1e-12)
        // Every value reads back as the Double it was (no rounding in the file).
        let exact = Evaluator.evaluateKeepingUsers(model: m, dataset: ds, users: users).perUser
        for (row, want) in zip(rows.dropFirst(), exact) { XCTAssertEqual(row.dropFirst(2).map { Double($0)! }, want) }
        XCTAssertTrue(rows.dropFirst().allSatisfy { $0[1] == "test" })
    }
}

extension RunFolderTests {
    /// `--per-user-log`: one CSV per epoch with every valid and test user, whose test
    /// means are the epoch's logged metrics; training itself is unchanged by it.
    func testPerUserLogHoldsEveryUserAndAveragesToTheLog() throws {
        let dir = makeTempDir()
        let src = csvSource(dir)
        var o = options(); o.perUserLog = true
        try TrainingRun.run(source: src, model: smallConfig(), options: o, out: dir + "/a", resume: false, stopOnSignals: false)
        try TrainingRun.run(source: src, model: smallConfig(), options: options(), out: dir + "/b", resume: false, stopOnSignals: false)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/a/last.safetensors")),
                       try Data(contentsOf: URL(fileURLWithPath: dir + "/b/last.safetensors")), "same training with or without the per-user log")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/b/per-user"), "nothing written without the flag")
        let ds = try src.load(), log = try RunFolder(dir + "/a").readLog()
        for e in 1...2 {
            let text = try String(contentsOfFile: RunFolder(dir + "/a").perUserLog(e), encoding: .utf8)
            let rows = text.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
            XCTAssertEqual(rows.count, ds.users(in: .valid).count + ds.users(in: .test).count)
            let names = RankingMetrics.names()
            for (split, metrics) in [("valid", log[e - 1].valid), ("test", log[e - 1].test)] {
                let mine = rows.filter { $0[1] == Substring(split) }
                for (j, name) in names.enumerated() {
                    let mean = mine.map { Double($0[2 + j])! }.reduce(0, +) / Double(mine.count)
                    XCTAssertEqual(mean, metrics[name]!, accuracy: 1e-5, "epoch \(e) \(split) \(name)")
                }
            }
        }
    }
}
