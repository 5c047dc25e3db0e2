import ArgumentParser
import Foundation
import XCTest
import TestSupport
import Re4CLI
import Re4Core
import Re4Viz
@testable import re4
@testable import re4_viz

/// The command lines in process: parsing and validation through
/// ArgumentParser's `parseAsRoot`, without starting a process.
final class CommandParsingTests: XCTestCase {
    func message(_ root: ParsableCommand.Type, _ args: [String]) -> String? {
        do { _ = try root.parseAsRoot(args); return nil } catch { return root.message(for: error) }
    }

    /// Options of the matrix path given with models are refused, not ignored.
    func testMatrixOnlyOptionsAreRefusedWithModels() {
        XCTAssertEqual(message(Re4VizCommand.self, ["tsne", "a.safetensors", "--out", "f.png", "--neighbors-out", "n.npy"]),
                       "--neighbors-out applies to --points (re4-viz embed); Figure 4 of models writes no neighbour graph or quality report")
        XCTAssertEqual(message(Re4VizCommand.self, ["tsne", "a.safetensors", "--out", "f.png", "--report"]),
                       "--report applies to --points (re4-viz embed); Figure 4 of models writes no neighbour graph or quality report")
        XCTAssertNil(message(Re4VizCommand.self, ["tsne", "--points", "x.csv", "--out", "y.npy", "--report", "--neighbors-out", "n.npy"]))
    }

    func testOptionsAreTypedAndValidatedOnce() throws {
        let ok = try Re4.parseAsRoot(["train", "--data", "d", "--out", "o", "--encoder", "comirec-dr", "--item-order", "popularity",
                                      "--threads", "2", "--sampler", "log-uniform", "--negatives", "100"]) as! TrainCommand
        XCTAssertEqual(ok.model.encoder, .comirecDR)
        XCTAssertEqual(ok.reading.itemOrder, .popularity)
        XCTAssertEqual(ok.options.threads, 2)
        XCTAssertEqual(ok.options.negatives, .logUniform(count: 100))
        XCTAssertTrue(message(Re4.self, ["train", "--data", "d", "--out", "o", "--encoder", "mind"])?.contains("'re4', 'comirec-sa' or 'comirec-dr'") ?? false)
        XCTAssertTrue(message(Re4.self, ["train", "--data", "d", "--out", "o", "--threads", "0"])?.contains("--threads must be between 1 and 256") ?? false)
        XCTAssertTrue(message(Re4.self, ["train", "--data", "d", "--out", "o", "--threads", "100000"])?.contains("--threads") ?? false)
        XCTAssertTrue(message(Re4.self, ["train", "--data", "d", "--out", "o", "--negatives", "many"])?.contains("--negatives") ?? false)
        XCTAssertTrue(message(Re4.self, ["train", "--data", "d", "--out", "o", "--interests", "0"])?.contains("--interests 0 is out of range") ?? false)
        // The same option is checked the same way in every command of both executables.
        for (root, args) in [(Re4.self as ParsableCommand.Type, ["evaluate", "--checkpoint", "c"]), (Re4VizCommand.self, ["distinct", "c"]),
                             (Re4VizCommand.self, ["tsne", "c", "--out", "f.png"])] {
            XCTAssertTrue(message(root, args + ["--threads", "300"])?.contains("--threads must be between 1 and 256") ?? false, "\(args)")
            XCTAssertTrue(message(root, args + ["--k-core=-2"])?.contains("--k-core must be ≥ 0") ?? false, "\(args)")
        }
        XCTAssertTrue(message(Re4VizCommand.self, ["tsne", "--out", "f.png"])?.contains("--points") ?? false)
        XCTAssertTrue(message(Re4VizCommand.self, ["distinct", "c", "--format", "xml"])?.contains("'table', 'json', 'csv' or 'markdown'") ?? false)
        XCTAssertTrue(message(Re4VizCommand.self, ["tsne", "c", "--out", "f.png", "--dpi", "0"])?.contains("--dpi") ?? false)
    }

    func testAnalysisDataOptionsAreTheSharedOnes() throws {
        let t = try Re4VizCommand.parseAsRoot(["tsne", "c", "--out", "f.png", "--item-order", "popularity", "--columns", "1,2,3",
                                               "--delimiter", ";", "--split", "train", "--user-ids", "u1"]) as! TSNECommand
        XCTAssertEqual(t.data.request, DataRequest(data: nil, itemOrder: .popularity, columns: "1,2,3", delimiter: ";"))
        XCTAssertEqual(t.split, .train)
    }
}

/// Running the commands in process on a tiny data set.
final class CommandRunTests: XCTestCase {
    func testTSNEPointsWithAFigureExtensionDrawsIt() throws {
        let dir = makeTempDir()
        var rows = ""
        for i in 0..<40 { rows += "\(Double(i % 4)),\(Double(i % 3) * 0.5),\(Double(i) * 0.01)\n" }
        write(rows, dir + "/x.csv")
        var c = try Re4VizCommand.parseAsRoot(["tsne", "--points", dir + "/x.csv", "--out", dir + "/x.png", "--perplexity", "5",
                                               "--iterations", "50", "--early-iterations", "50", "--threads", "1"])
        try c.run()
        let png = try Data(contentsOf: URL(fileURLWithPath: dir + "/x.png"))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "a PNG, not CSV text")
        var bad = try Re4VizCommand.parseAsRoot(["tsne", "--points", dir + "/x.csv", "--out", dir + "/x.gif"])
        assertThrowsMessage([".npy or .csv", ".png, .svg or .pdf"]) { try bad.run() }
        var same = try Re4VizCommand.parseAsRoot(["tsne", "--points", dir + "/x.csv", "--out", dir + "/x.csv"])
        assertThrowsMessage(["is the input"]) { try same.run() }
    }

    /// `re4-viz embed POINTS` is the job `tsne --points` was (kept for one release): the same bytes.
    func testEmbedGivesWhatTSNEPointsGave() throws {
        let dir = makeTempDir()
        var rows = ""
        for i in 0..<40 { rows += "\(Double(i % 4)),\(Double(i % 3) * 0.5),\(Double(i) * 0.01)\n" }
        write(rows, dir + "/x.csv")
        let opts = ["--perplexity", "5", "--iterations", "50", "--early-iterations", "50", "--threads", "1", "--seed", "3"]
        var a = try Re4VizCommand.parseAsRoot(["embed", dir + "/x.csv", "--out", dir + "/a.npy"] + opts)
        try a.run()
        var b = try Re4VizCommand.parseAsRoot(["tsne", "--points", dir + "/x.csv", "--out", dir + "/b.npy"] + opts)
        try b.run()
        let ya = try Data(contentsOf: URL(fileURLWithPath: dir + "/a.npy")), yb = try Data(contentsOf: URL(fileURLWithPath: dir + "/b.npy"))
        XCTAssertGreaterThan(ya.count, 40 * 8)
        XCTAssertEqual(ya, yb)
        XCTAssertThrowsError(try Re4VizCommand.parseAsRoot(["embed", dir + "/x.csv", "--out", dir + "/c.npy", "--place", dir + "/x.csv"]))
    }

    func testTSNEPlacesNewPointsIntoTheFinishedEmbedding() throws {
        let dir = makeTempDir()
        var rows = "", newRows = ""
        for i in 0..<60 {
            let line = "\(Double(i % 3) * 5 + Double(i) * 0.01),\(Double(i % 2)),\(Double(i) * 0.02)\n"
            rows += line
            if i < 4 { newRows += line }
        }
        write(rows, dir + "/ref.csv"); write(newRows, dir + "/new.csv")
        var c = try Re4VizCommand.parseAsRoot(["tsne", "--points", dir + "/ref.csv", "--out", dir + "/ref2d.csv", "--place", dir + "/new.csv",
                                               "--placed-out", dir + "/new2d.csv", "--perplexity", "5", "--threads", "1"])
        try c.run()
        let placed = try String(contentsOfFile: dir + "/new2d.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(placed.count, 5, "header and four placed points")
        XCTAssertTrue(message(["tsne", "--points", "a.csv", "--out", "b.csv", "--place", "c.csv"])?.contains("--placed-out") ?? false)
    }

    func testEvaluateWritesPerUserMetricsAndRefusesBadCutoffs() throws {
        let dir = makeTempDir()
        var rows = "user,item,timestamp\n"
        for u in 0..<40 { for t in 0..<12 { rows += "u\(u),i\((u * 7 + t * 3) % 25),\(t)\n" } }
        write(rows, dir + "/d.csv")
        var o = TrainingOptions(); o.epochs = 1; o.batchSize = 64; o.negatives = .uniform(count: 10)
        var c = ModelConfig(); c.interests = 2; c.dim = 8; c.hidden = 8
        try TrainingRun.run(source: DataSource(data: dir + "/d.csv"), model: c, options: o, out: dir + "/r", resume: false, stopOnSignals: false)
        var e = try Re4.parseAsRoot(["evaluate", "--checkpoint", dir + "/r/best.safetensors", "--per-user", dir + "/u.csv",
                                     "--at", "10,100", "--threads", "1", "--json"])
        try e.run()
        let lines = try String(contentsOfFile: dir + "/u.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.first, "user,split,recall@10,ndcg@10,hitrate@10,ndcg_comirec@10,ndcg_re4@10,recall@100,ndcg@100,hitrate@100,ndcg_comirec@100,ndcg_re4@100")
        XCTAssertEqual(lines.count, 1 + (try DataSource(data: dir + "/d.csv").load()).users(in: .test).count)
        XCTAssertTrue(message(Re4.self, ["evaluate", "--checkpoint", "c", "--at", "10,x"])?.contains("--at") ?? false)
        var same = try Re4.parseAsRoot(["evaluate", "--checkpoint", dir + "/r/best.safetensors", "--per-user", dir + "/r/best.safetensors"])
        assertThrowsMessage(["is the input"]) { try same.run() }
    }

    func message(_ root: ParsableCommand.Type, _ args: [String]) -> String? {
        do { _ = try root.parseAsRoot(args); return nil } catch { return root.message(for: error) }
    }

    func message(_ args: [String]) -> String? {
        do { _ = try Re4VizCommand.parseAsRoot(args); return nil } catch { return Re4VizCommand.message(for: error) }
    }

    func testUserIdsMustBeTestUsersUnlessTheSplitIsNamed() throws {
        let dir = makeTempDir()
        var rows = "user,item,timestamp\n"
        for u in 0..<40 { for t in 0..<12 { rows += "u\(u),i\((u * 7 + t * 3) % 25),\(t)\n" } }
        write(rows, dir + "/d.csv")
        let ds = try DataSource(data: dir + "/d.csv").load()
        let train = ds.userIDs[ds.users(in: .train)[0]], test = ds.userIDs[ds.users(in: .test)[0]]
        assertThrowsMessage(["'\(train)' is a train user, not a test user", "--split train"]) {
            try InterestMap.users(ids: [train], in: ds, split: .test)
        }
        XCTAssertEqual(try InterestMap.users(ids: [test], in: ds, split: .test), [ds.users(in: .test)[0]])
        XCTAssertEqual(try InterestMap.users(ids: [train], in: ds, split: .train), [ds.users(in: .train)[0]])
    }
}

/// A repeated single-valued option is refused, not reduced to its last value.
final class RepeatedOptionTests: XCTestCase {
    struct Inner: ParsableArguments {
        @Option var itemEmbeddings: String?
        @Option var labels: [String] = []
        init() {}
    }
    struct Probe: ParsableCommand {
        @Option var interests: String?
        @Flag var paddingRow = false
        @Option var threads: Int = 1
        @OptionGroup var inner: Inner
        init() {}
    }

    func testSingleValuedNamesIncludeOptionGroups() throws {
        let c = try Probe.parse(["--interests", "a", "--labels", "x", "--labels", "y"])
        let names = RepeatedOptions.singleValued(in: c)
        XCTAssertEqual(names, ["--interests", "--padding-row", "--threads", "--item-embeddings"])
        XCTAssertNil(RepeatedOptions.firstRepeat(["--interests", "a", "--labels", "x", "--labels", "y"], singleValued: names), "an array option repeats")
        let r = RepeatedOptions.firstRepeat(["--interests", "U_a.npy", "--item-embeddings", "E.npy", "--interests=U_b.npy"], singleValued: names)
        XCTAssertEqual(r?.name, "--interests"); XCTAssertEqual(r?.values, ["U_a.npy", "U_b.npy"])
        XCTAssertEqual(RepeatedOptions.firstRepeat(["--padding-row", "--padding-row"], singleValued: names)?.name, "--padding-row")
        XCTAssertNil(RepeatedOptions.firstRepeat(["--", "--threads", "--threads"], singleValued: names), "after -- nothing is an option")
    }

    struct Numbers: ParsableArguments {
        @Option var weight: Float?
        @Option var scales: [Double] = []
        init() {}
    }
    struct NumberProbe: ParsableCommand {
        @Option var rate: Double = 0.5
        @OptionGroup var numbers: Numbers
        init() {}
    }

    /// NaN and infinities parse as numbers; the check finds them in plain,
    /// optional, array and grouped options, and passes finite values.
    func testNonFiniteNumbersAreFoundInEveryKindOfOption() throws {
        func found(_ args: [String]) throws -> String? { FiniteOptions.firstNonFinite(in: try NumberProbe.parse(args))?.name }
        XCTAssertNil(try found([]))
        XCTAssertNil(try found(["--rate", "1e-3", "--weight", "2", "--scales", "1", "--scales", "2"]))
        XCTAssertEqual(try found(["--rate", "nan"]), "--rate")
        XCTAssertEqual(try found(["--weight", "inf"]), "--weight")
        XCTAssertEqual(try found(["--scales", "1", "--scales=-inf"]), "--scales")
        XCTAssertEqual(FiniteOptions.firstNonFinite(in: try NumberProbe.parse(["--rate=-inf"]))?.value, -.infinity)
    }
}
