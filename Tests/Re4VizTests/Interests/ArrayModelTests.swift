import Foundation
import XCTest
import TestSupport
@testable import Re4Viz
@testable import Re4Core

/// Any model's arrays (docs/interop.md § Any model's arrays): a model's own
/// U, A, histories and item table, written as .npy and read back through
/// `ArrayModel`, give the statistics and figures the model itself gives.
final class ArrayModelTests: XCTestCase {
    /// Writes a model's arrays for the data's test users; returns the files.
    func writeArrays(_ m: MultiInterestModel, _ ds: Dataset, dir: String, paddingRow: Bool = true) throws -> ArrayModel.Files {
        let users = ds.users(in: .test)
        let ui = UserInterests(model: m, dataset: ds, users: users)
        let K = ui.K, d = ui.d, L = ui.L, n = m.config.items
        try Npy.write(Tensor(shape: [users.count, K, d], values: ui.U), path: dir + "/U.npy")
        try Npy.write(Tensor(shape: [users.count, K, L], values: ui.A), path: dir + "/A.npy")
        try Npy.serialize(int32: ui.history, shape: [users.count, L]).write(to: URL(fileURLWithPath: dir + "/H.npy"))
        let E = m.params.values(MultiInterestModel.embeddingName)
        try Npy.write(paddingRow ? Tensor(shape: [n + 1, d], values: E) : Tensor(shape: [n, d], values: Array(E[d...])), path: dir + "/E.npy")
        write(users.map { ds.userIDs[$0] }.joined(separator: "\n") + "\n", dir + "/users.txt")
        var f = ArrayModel.Files(interests: dir + "/U.npy", items: dir + "/E.npy")
        f.paddingRow = paddingRow; f.histories = dir + "/H.npy"; f.attention = dir + "/A.npy"; f.rowUsers = dir + "/users.txt"
        return f
    }

    func assertSame(_ a: [Double], _ b: [Double], _ key: String, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, key, line: line)
        for (x, y) in zip(a, b) {
            // 1e-6: A is renormalised in float.
            if x.isNaN { XCTAssertTrue(y.isNaN, key, line: line) } else { XCTAssertEqual(x, y, accuracy: 1e-6, key, line: line) }
        }
    }

    func testArraysWithTheDataGiveTheModelsOwnStatistics() throws {
        let dir = makeTempDir()
        let ds = try plantedDataset(), m = smallModel(ds)
        let users = ds.users(in: .test)
        let want = Distinctness.perUser(model: m, dataset: ds, users: users)
        for padding in [true, false] {
            let f = try writeArrays(m, ds, dir: dir, paddingRow: padding)
            let (am, ads) = try ArrayModel.load(f, dataset: ds)
            XCTAssertEqual(ads.users(in: .test), users)
            let got = Distinctness.perUser(model: am, dataset: ads, users: users)
            // Z is not in the arrays (it is U there); everything else must agree.
            for (key, v) in want where key != "cos_Z" { assertSame(got[key]!, v, key) }
            XCTAssertFalse(want["usage_entropy"]!.allSatisfy(\.isNaN), "usage is computed from the held-out items")
        }
    }

    func testWithoutAttentionItsStatisticsAreSkippedAndSaid() throws {
        let dir = makeTempDir()
        let ds = try plantedDataset(), m = smallModel(ds)
        var f = try writeArrays(m, ds, dir: dir)
        f.attention = nil
        let (am, ads) = try ArrayModel.load(f, dataset: ds)
        let users = ds.users(in: .test)
        let r = Distinctness.report(checkpoint: "U.npy", model: am, dataset: ads, users: users, seed: 1)
        XCTAssertNil(r.value("attention_entropy")); XCTAssertNil(r.value("positives")); XCTAssertNil(r.value("coherence_margin"))
        XCTAssertEqual(r.value("cos_U")!.mean, Distinctness.report(checkpoint: "m", model: m, dataset: ds, users: users, seed: 1).value("cos_U")!.mean, accuracy: 1e-12)
        XCTAssertTrue(r.skipped.contains { $0.contains("attention") }, "\(r.skipped)")
        var req = InterestMap.Request(users: Array(users.prefix(2)))
        req.map.tsne.iterations = 50
        let panel = [Panel(model: am, label: "U")], c = AnalysisContext(threads: 2)
        assertThrowsMessage(["--items attended", "--attention"]) { _ = try InterestMap.run(panels: panel, dataset: ads, request: req, context: c) }
        req.selection = .retrieved(5)
        XCTAssertEqual(try InterestMap.run(panels: panel, dataset: ads, request: req, context: c).points.filter(\.isInterest).count, 2 * 3)
    }

    /// Without --data: the data is made from the arrays, titles from a file, nothing held out.
    func testArraysAloneMakeTheirOwnData() throws {
        let dir = makeTempDir()
        let ds = try plantedDataset(), m = smallModel(ds)
        var f = try writeArrays(m, ds, dir: dir)
        write("item,title,genres\n1,\"Alpha, the first\",A|B\n3,Gamma,C\n", dir + "/titles.csv")
        f.itemTitles = dir + "/titles.csv"
        let (am, ads) = try ArrayModel.load(f, dataset: nil)
        let users = ds.users(in: .test)
        XCTAssertEqual(ads.userCount, users.count)
        XCTAssertEqual(ads.userIDs, users.map { ds.userIDs[$0] })
        XCTAssertEqual(ads.itemTitles[1], "Alpha, the first"); XCTAssertEqual(ads.itemCategories[1], ["A", "B"]); XCTAssertEqual(ads.itemTitles[2], "")
        XCTAssertTrue(ads.groundTruth(user: 0).isEmpty)
        let rows = Array(0..<users.count)
        let want = Distinctness.perUser(model: m, dataset: ds, users: users)
        let got = Distinctness.perUser(model: am, dataset: ads, users: rows)
        for key in ["cos_U", "cos_U_slot", "retrieved_jaccard", "attention_entropy", "attention_top_share", "positives", "coherence_margin"] {
            assertSame(got[key]!, want[key]!, key)
        }
        XCTAssertTrue(got["usage_entropy"]!.allSatisfy(\.isNaN))
        let r = Distinctness.report(checkpoint: "U.npy", model: am, dataset: ads, users: rows, seed: 1)
        XCTAssertTrue(r.skipped.contains { $0.contains("held-out") })
    }

    func testMalformedArraysAreRefusedWithOneLine() throws {
        let dir = makeTempDir()
        let ds = try plantedDataset(), m = smallModel(ds)
        let f = try writeArrays(m, ds, dir: dir)
        let R = ds.users(in: .test).count, n = m.config.items
        func with(_ edit: (inout ArrayModel.Files) -> Void) -> ArrayModel.Files { var g = f; edit(&g); return g }
        // Wrong ranks and shapes.
        try Npy.write(Tensor(shape: [R, 24], values: [Float](repeating: 0, count: R * 24)), path: dir + "/U2.npy")
        assertThrowsMessage(["U2.npy", "users × K × d"]) { _ = try ArrayModel.load(with { $0.interests = dir + "/U2.npy" }, dataset: ds) }
        try Npy.write(Tensor(shape: [n + 1, 5], values: [Float](repeating: 0, count: (n + 1) * 5)), path: dir + "/E5.npy")
        assertThrowsMessage(["E5.npy", "5 columns", "d = 8"]) { _ = try ArrayModel.load(with { $0.items = dir + "/E5.npy" }, dataset: ds) }
        assertThrowsMessage(["E.npy", "\(n + 1) items", "--padding-row"]) { _ = try ArrayModel.load(with { $0.paddingRow = false }, dataset: ds) }
        // NaN in the interests.
        var u = try Npy.read(path: f.interests); u.values[5] = .nan
        try Npy.write(u, path: dir + "/Unan.npy")
        assertThrowsMessage(["Unan.npy", "element 5", "NaN"]) { _ = try ArrayModel.load(with { $0.interests = dir + "/Unan.npy" }, dataset: ds) }
        // An item id out of range; a history of the wrong length; float ids that are not whole.
        var h = try Npy.readIntegers(path: f.histories!).values.map(Int32.init); h[3] = Int32(n + 1)
        try Npy.serialize(int32: h, shape: [R, 10]).write(to: URL(fileURLWithPath: dir + "/Hbad.npy"))
        assertThrowsMessage(["Hbad.npy", "item \(n + 1)", "outside 0…\(n)"]) { _ = try ArrayModel.load(with { $0.histories = dir + "/Hbad.npy" }, dataset: ds) }
        try Npy.write(Tensor(shape: [R, 10], values: [Float](repeating: 1.5, count: R * 10)), path: dir + "/Hf.npy")
        assertThrowsMessage(["Hf.npy", "not a whole number"]) { _ = try ArrayModel.load(with { $0.histories = dir + "/Hf.npy" }, dataset: ds) }
        try Npy.serialize(int32: [Int32](repeating: 1, count: (R - 1) * 10), shape: [R - 1, 10]).write(to: URL(fileURLWithPath: dir + "/Hshort.npy"))
        assertThrowsMessage(["Hshort.npy", "\(R) rows"]) { _ = try ArrayModel.load(with { $0.histories = dir + "/Hshort.npy" }, dataset: ds) }
        // Attention of the wrong shape, negative, or without histories.
        try Npy.write(Tensor(shape: [R, 3, 9], values: [Float](repeating: 0.1, count: R * 27)), path: dir + "/A9.npy")
        assertThrowsMessage(["A9.npy", "users × K × L = [\(R), 3, 10]"]) { _ = try ArrayModel.load(with { $0.attention = dir + "/A9.npy" }, dataset: ds) }
        var a = try Npy.read(path: f.attention!); a.values[0] = -1
        try Npy.write(a, path: dir + "/Aneg.npy")
        assertThrowsMessage(["Aneg.npy", "≥ 0"]) { _ = try ArrayModel.load(with { $0.attention = dir + "/Aneg.npy" }, dataset: ds) }
        assertThrowsMessage(["A.npy", "--histories"]) { _ = try ArrayModel.load(with { $0.histories = nil }, dataset: ds) }
        // Users: an unknown id, the wrong count; no data and no histories.
        write("nobody\n" + String(repeating: "u1\n", count: R - 1), dir + "/u-bad.txt")
        assertThrowsMessage(["u-bad.txt", "listed twice"]) { _ = try ArrayModel.load(with { $0.rowUsers = dir + "/u-bad.txt" }, dataset: ds) }
        write("nobody\n" + ds.users(in: .test).dropFirst().map { ds.userIDs[$0] }.joined(separator: "\n"), dir + "/u-unknown.txt")
        assertThrowsMessage(["u-unknown.txt", "'nobody'", "not in planted"]) { _ = try ArrayModel.load(with { $0.rowUsers = dir + "/u-unknown.txt" }, dataset: ds) }
        write("u1\n", dir + "/u-one.txt")
        assertThrowsMessage(["u-one.txt", "1 users for \(R) rows"]) { _ = try ArrayModel.load(with { $0.rowUsers = dir + "/u-one.txt" }, dataset: ds) }
        assertThrowsMessage(["U.npy", "--histories"]) { _ = try ArrayModel.load(with { $0.histories = nil; $0.attention = nil }, dataset: nil) }
        write("1,ok\nx,bad\n", dir + "/t-bad.csv")
        assertThrowsMessage(["t-bad.csv", "line 2", "not an item number"]) { _ = try ArrayModel.load(with { $0.itemTitles = dir + "/t-bad.csv" }, dataset: nil) }
        // An integer .npy for the interests is refused by dtype.
        try Npy.serialize(int32: [Int32](repeating: 1, count: R * 24), shape: [R, 3, 8]).write(to: URL(fileURLWithPath: dir + "/Uint.npy"))
        assertThrowsMessage(["Uint.npy", "dtype", "float32"]) { _ = try ArrayModel.load(with { $0.interests = dir + "/Uint.npy" }, dataset: ds) }
    }
}
