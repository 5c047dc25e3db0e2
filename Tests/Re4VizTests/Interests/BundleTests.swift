import Foundation
import XCTest
import TestSupport
@testable import Re4Viz
@testable import Re4Core

/// The interest bundle and the one model argument (docs/bundle.md).
final class BundleTests: XCTestCase {
    let repo = repositoryRoot

    func testExportRoundTripsToTheSameStatistics() throws {
        let dir = makeTempDir()
        let (ds, request) = try plantedCSV(in: dir)
        let m = smallModel(ds)
        try Export.write(model: m, dataset: ds, part: .test, top: 5, to: dir + "/bundle", threads: 1, name: "small")
        let input = try ModelInput.resolve(dir + "/bundle")
        XCTAssertEqual(input.kind, .bundle); XCTAssertEqual(input.label, "small")
        let opened = try OpenedModels.open([input], request: request, allowMismatch: false)
        let users = ds.users(in: .test)
        XCTAssertEqual(opened.dataset.users(in: .test), users, "the bundle's rows are the test users")
        let a = Distinctness.perUser(model: m, dataset: ds, users: users)
        let b = Distinctness.perUser(model: opened.models[0], dataset: opened.dataset, users: users)
        for key in ["cos_U", "cos_U_slot", "attention_entropy", "attention_top_share", "positives", "retrieved_jaccard",
                    "usage_entropy", "dead_interest_share", "coherence_margin"] {
            for (x, y) in zip(a[key]!, b[key]!) where x.isFinite || y.isFinite { XCTAssertEqual(x, y, accuracy: 1e-5, key) }
        }
        let ea = Evaluator.evaluate(model: m, dataset: ds, users: users), eb = Evaluator.evaluate(model: opened.models[0], dataset: opened.dataset, users: users)
        for (k, v) in ea { XCTAssertEqual(v, eb[k]!, accuracy: 1e-9, k) }
        // Without --data the bundle is its own data: histories, titles from items.csv, nothing held out.
        let alone = try OpenedModels.open([input], request: DataRequest(), allowMismatch: false)
        XCTAssertFalse(alone.dataset.heldOut)
        XCTAssertEqual(alone.dataset.itemTitles[1], ds.itemTitles[1].isEmpty ? ds.itemIDs[0] : ds.itemTitles[1])
    }

    /// The numpy writer of docs/bundle.md, run as the page gives it, then read back.
    func testTheDocsNumpyWriterMakesABundleEveryAnalysisReads() throws {
        let doc = try String(contentsOfFile: repo + "/docs/bundle.md", encoding: .utf8)
        let block = try XCTUnwrap(doc.components(separatedBy: "```python\n").dropFirst().first?.components(separatedBy: "```").first)
        XCTAssertTrue(block.contains("def write_bundle"))
        let dir = makeTempDir()
        let driver = block + """

            rng = np.random.default_rng(0)
            users, K, d, n, L = 8, 3, 6, 20, 7
            hist = rng.integers(1, n + 1, size=(users, L)); hist[:, 5:] = 0
            att = rng.random((users, K, L)); att[:, :, 5:] = 0; att /= att.sum(-1, keepdims=True)
            items = np.vstack([np.zeros((1, d)), rng.normal(size=(n, d))])
            titles = {j: (f"item {j}", ["even" if j % 2 == 0 else "odd"]) for j in range(1, n + 1)}
            for name in ["a", "b"]:
                write_bundle(f"\(dir)/{name}", rng.normal(size=(users, K, d)), items, histories=hist, attention=att,
                             users=[f"u{i}" for i in range(users)], titles=titles, model=f"model-{name}")
            """
        let (status, out) = runPython(driver)
        XCTAssertEqual(status, 0, out)
        let inputs = try ModelInput.resolve([dir + "/a", dir + "/b"], labels: nil)
        XCTAssertEqual(inputs.map(\.label), ["model-a", "model-b"])
        let opened = try OpenedModels.open(inputs, request: DataRequest(), allowMismatch: false)
        XCTAssertEqual(opened.models.count, 2)
        XCTAssertEqual(opened.dataset.itemTitles[3], "item 3"); XCTAssertEqual(opened.dataset.itemCategories[4], ["even"])
        let users = opened.dataset.users(in: .test)
        XCTAssertEqual(users.count, 8)
        let reports = zip(inputs, opened.models).map { Distinctness.report(checkpoint: $0.label, model: $1, dataset: opened.dataset, users: users, seed: 1) }
        XCTAssertNotNil(reports[0].value("attention_entropy"), "attention given: the attention statistics are there")
        XCTAssertNotNil(try XCTUnwrap(Distinctness.paired(reports[0], reports[1], seed: 1)).rows.first { $0.key == "cos_U" })
    }

    func testWhatIsNotAModelIsRefusedWithWhatItIs() throws {
        let dir = makeTempDir()
        try FileManager.default.createDirectory(atPath: dir + "/empty", withIntermediateDirectories: true)
        assertThrowsMessage(["empty", "neither a run folder", "nor an interest bundle"]) { _ = try ModelInput.resolve(dir + "/empty") }
        write("x", dir + "/U.npy")
        assertThrowsMessage(["U.npy", "interest bundle folder"]) { _ = try ModelInput.resolve(dir + "/U.npy") }
        assertThrowsMessage(["nope.pt", "no such file"]) { _ = try ModelInput.resolve(dir + "/nope.pt") }
        write("{\"format\": 2, \"padding_row\": true, \"metric\": \"dot\"}", dir + "/empty/bundle.json")
        assertThrowsMessage(["bundle.json", "format 2"]) { _ = try ModelInput.resolve(dir + "/empty") }
        write("{\"format\": 1, \"padding_row\": true, \"metric\": \"cosine\"}", dir + "/empty/bundle.json")
        assertThrowsMessage(["metric 'cosine'"]) { _ = try ModelInput.resolve(dir + "/empty") }
        write("x", dir + "/m.pt")
        assertThrowsMessage(["--labels has 2 names for 1 model"]) { _ = try ModelInput.resolve([dir + "/m.pt"], labels: ["a", "b"]) }
    }

    func testDefaultLabelsOfTwoRunsCheckpointsStayApart() throws {
        let dir = makeTempDir()
        for run in ["x/re4", "y/re4"] {
            try FileManager.default.createDirectory(atPath: "\(dir)/\(run)", withIntermediateDirectories: true)
            write("{}", "\(dir)/\(run)/config.json"); write("x", "\(dir)/\(run)/best.safetensors")
        }
        let a = try ModelInput.resolve(["\(dir)/x/re4", "\(dir)/y/re4/best.safetensors"], labels: nil)
        XCTAssertEqual(a.map(\.label), ["x/re4", "y/re4"])
        XCTAssertEqual(a.map(\.kind), [.runCheckpoint, .runCheckpoint])
        XCTAssertEqual(try ModelInput.resolve("\(dir)/x/re4/epoch-003.safetensors".replacingOccurrences(of: "epoch-003", with: "best")).label, "re4")
    }
}
