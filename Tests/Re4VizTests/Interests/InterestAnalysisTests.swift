import Foundation
import XCTest
import TestSupport
@testable import Re4Viz
@testable import Re4Core
import TSNE

/// Users with two planted interest clusters each (items 1–10 and 11–20, or
/// 21–30 and 31–40), alternating.
func plantedDataset() throws -> Dataset {
    var rng = SeededRandom(seed: 5)
    var log = InteractionLog(source: "planted")
    for u in 0..<60 {
        let a = u % 2 == 0 ? 0 : 2, b = a + 1
        for t in 0..<24 {
            let c = t % 2 == 0 ? a : b
            log.append(user: "u\(u)", item: "i\(c * 10 + 1 + rng.below(10))", time: Double(t))
        }
    }
    return try Dataset.build(name: "planted", log: log)
}

/// The same planted data written as `dir/planted.csv`, and the request that opens it.
func plantedCSV(in dir: String) throws -> (Dataset, DataRequest) {
    let ds = try plantedDataset()
    var rows = "user,item,timestamp\n"
    for (u, seq) in ds.sequences.enumerated() {
        for (t, it) in seq.enumerated() { rows += "\(ds.userIDs[u]),\(ds.itemIDs[Int(it) - 1]),\(t)\n" }
    }
    write(rows, dir + "/planted.csv")
    let request = DataRequest(data: dir + "/planted.csv")
    return (try request.resolve(over: nil)!.load(), request)
}

func smallModel(_ ds: Dataset, seed: UInt64 = 3) -> MultiInterestModel {
    var c = ModelConfig()
    c.interests = 3; c.dim = 8; c.maxLength = 10; c.hidden = 6; c.items = ds.itemCount
    c.lambdaAtt = 0; c.lambdaCt = 0; c.lambdaCs = 0
    let m = MultiInterestModel.initial(config: c, seed: seed)
    for i in m.params.names.indices { let b = m.params.buffers[i]; for j in 0..<b.count { b[j] *= 0.4 } }
    return m
}

final class DistinctnessTests: XCTestCase {
    func testCopiesOfOneInterestHaveCosineOneAndNoUsageSpread() throws {
        let ds = try plantedDataset()
        let m = smallModel(ds)
        // Identical rows of W1_2 → identical attention → identical interests.
        let w = m.params.p("W1_2"), H = m.config.hidden
        for k in 1..<m.config.interests { for h in 0..<H { w[k * H + h] = w[h] } }
        let users = ds.users(in: .test)
        let per = Distinctness.perUser(model: m, dataset: ds, users: users)
        for v in per["cos_U"]! { XCTAssertEqual(v, 1, accuracy: 1e-5) }
        for v in per["cos_Z"]! { XCTAssertEqual(v, 1, accuracy: 1e-5) }
        for v in per["usage_entropy"]! { XCTAssertEqual(v, 0, accuracy: 1e-12, "ties go to the first interest: one winner") }
        for v in per["retrieved_jaccard"]! { XCTAssertEqual(v, 1, accuracy: 1e-12) }
        let r = Distinctness.report(checkpoint: "x", model: m, dataset: ds, users: users, seed: 1)
        XCTAssertEqual(r.value("dead_interest_share")!.mean, 2.0 / 3.0, accuracy: 1e-12)
    }

    /// `distinct --per-user`: one row per user, empty where undefined, and the
    /// defined rows average to the report's means.
    func testPerUserCSVAveragesToTheReport() throws {
        let ds = try plantedDataset()
        let m = smallModel(ds)
        let users = ds.users(in: .test)
        let per = Distinctness.perUser(model: m, dataset: ds, users: users)
        let csv = Distinctness.perUserCSV(per, dataset: ds, users: users)
        let rows = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(Array(rows[0].prefix(2)), ["user", "split"])
        XCTAssertEqual(rows.count, users.count + 1)
        let r = Distinctness.report(checkpoint: "x", perUser: per, model: m, dataset: ds, seed: 1)
        for (j, key) in rows[0].enumerated().dropFirst(2) {
            let vals = rows.dropFirst().compactMap { Double($0[j]) }
            XCTAssertEqual(vals.reduce(0, +) / Double(vals.count), r.value(key)!.mean, accuracy: 1e-5, key)
            XCTAssertEqual(vals.count, r.value(key)!.users, key)
        }
        // A user with no positive has no coherence margin: the cell is empty, not NaN.
        XCTAssertFalse(csv.contains("nan"))
        let written = makeTempDir() + "/per.csv"
        write(csv, written)
        XCTAssertEqual(try Comparison.read(written).values.count, users.count, "compare reads it")
    }

    func testStatisticsByHandForTwoUsers() throws {
        let ds = try plantedDataset()
        let m = smallModel(ds)
        let users = Array(ds.users(in: .test).prefix(2))
        let per = Distinctness.perUser(model: m, dataset: ds, users: users)
        let ui = UserInterests(model: m, dataset: ds, users: users)
        for i in 0..<2 {
            // cos_U: mean over the three pairs.
            func cos(_ a: Int, _ b: Int) -> Double {
                let x = ui.interest(i, a).map(Double.init), y = ui.interest(i, b).map(Double.init)
                let dot = zip(x, y).map(*).reduce(0, +)
                return dot / (x.map { $0 * $0 }.reduce(0, +).squareRoot() * y.map { $0 * $0 }.reduce(0, +).squareRoot())
            }
            XCTAssertEqual(per["cos_U"]![i], (cos(0, 1) + cos(0, 2) + cos(1, 2)) / 3, accuracy: 1e-9)
            // cos_U_slot: each slot against the same slot of the other user, averaged over the three slots.
            func slot(_ k: Int) -> Double {
                let x = ui.interest(i, k).map(Double.init), y = ui.interest(1 - i, k).map(Double.init)
                return zip(x, y).map(*).reduce(0, +) / (x.map { $0 * $0 }.reduce(0, +).squareRoot() * y.map { $0 * $0 }.reduce(0, +).squareRoot())
            }
            XCTAssertEqual(per["cos_U_slot"]![i], (slot(0) + slot(1) + slot(2)) / 3, accuracy: 1e-9)
            // Positives: attention > 1/len over the history.
            let len = ui.lengths[i]
            var pos = 0
            for k in 0..<3 { for l in 0..<len where ui.A[(i * 3 + k) * 10 + l] > 1 / Float(len) { pos += 1 } }
            XCTAssertEqual(per["positives"]![i], Double(pos) / 3, accuracy: 1e-12)
            // Top share.
            let top = (0..<3).map { k in Double((0..<10).map { ui.A[(i * 3 + k) * 10 + $0] }.max()!) }.reduce(0, +) / 3
            XCTAssertEqual(per["attention_top_share"]![i], top, accuracy: 1e-9)
        }
        // The bootstrap interval contains the mean and is seeded.
        let (mean, lo, hi, n) = Distinctness.summarize([1, 2, 3, 4, 5, 6], seed: 9)
        XCTAssertEqual(mean, 3.5); XCTAssertEqual(n, 6)
        XCTAssertLessThan(lo, mean); XCTAssertGreaterThan(hi, mean)
        XCTAssertTrue(Distinctness.summarize([1, 2, 3, 4, 5, 6], seed: 9) == (mean, lo, hi, n))
    }

    func testFormatsAndDifferences() throws {
        let ds = try plantedDataset()
        let users = ds.users(in: .test)
        let a = Distinctness.report(checkpoint: "runs/base/best.safetensors", model: smallModel(ds, seed: 1), dataset: ds, users: users, seed: 1)
        let b = Distinctness.report(checkpoint: "runs/re4/best.safetensors", model: smallModel(ds, seed: 2), dataset: ds, users: users, seed: 1)
        let md = Distinctness.format([a, b], as: .markdown)
        XCTAssertTrue(md.contains("| cos_U |")); XCTAssertTrue(md.contains("Holm p")); XCTAssertFalse(md.contains("overlap"))
        let json = Distinctness.format([a, b], as: .json)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        XCTAssertEqual(parsed?.count, 2)
        XCTAssertEqual(Distinctness.format([a], as: .csv).split(separator: "\n").count, a.statistics.count + 1)
        // RFC 4180: a checkpoint path with a comma and a quote stays one field.
        var odd = a; odd.checkpoint = "runs/a,b \"x\"/best.safetensors"
        let row = Distinctness.format([odd], as: .csv).split(separator: "\n")[1]
        XCTAssertTrue(row.hasPrefix("\"runs/a,b \"\"x\"\"/best.safetensors\","), String(row))
        XCTAssertEqual(runPython("import csv,sys; r=list(csv.reader([sys.argv[1]])); print(len(r[0]))", args: [String(row)]).1
                           .trimmingCharacters(in: .whitespacesAndNewlines), "11")
        XCTAssertTrue(Distinctness.format([a, b], as: .table).contains("[95 % CI]"))
    }
}

final class ProjectionTests: XCTestCase {
    func testAttendedSelectionFollowsItsDefinition() throws {
        let ds = try plantedDataset()
        let m = smallModel(ds)
        let users = Array(ds.users(in: .test).prefix(3))
        let ui = UserInterests(model: m, dataset: ds, users: users)
        for i in users.indices {
            let groups = ui.attendedItems(i)
            let len = ui.lengths[i]
            for (k, items) in groups.enumerated() {
                for it in items {
                    // The item sits at some position where interest k attends above 1/len and most among interests.
                    let positions = (0..<len).filter { ui.history[i * 10 + $0] == it }
                    XCTAssertTrue(positions.contains { l in
                        let a = (0..<3).map { ui.A[(i * 3 + $0) * 10 + l] }
                        return a[k] > 1 / Float(len) && a[k] == a.max()!
                    })
                }
            }
            XCTAssertEqual(Set(groups.joined()).count, groups.joined().count, "each item given to one interest")
        }
    }

    func testTwoPanelsWithKStarsPerUserInTheCoordinates() throws {
        let ds = try plantedDataset()
        let users = Array(ds.users(in: .test).prefix(3))
        var o = TSNEOptions(); o.earlyIterations = 30; o.iterations = 30; o.metric = .cosine
        var pts: [InterestProjection.Point] = []
        for (p, seed) in [UInt64(1), 2].enumerated() {
            pts += try InterestProjection.project(model: smallModel(ds, seed: seed), dataset: ds, users: users, space: .u,
                                                  selection: .retrieved(4), panel: p, options: o)
        }
        let csv = InterestProjection.coordinatesCSV(pts, panelTitles: ["Base", "Re4"], dataset: ds)
        let rows = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        XCTAssertEqual(Set(rows.map { String($0[0]) }), ["Base", "Re4"])
        for panel in ["Base", "Re4"] {
            for u in users {
                let stars = rows.filter { $0[0] == panel && $0[1] == "interest" && String($0[2]) == ds.userIDs[u] }
                XCTAssertEqual(stars.count, 3, "K stars per user")
                XCTAssertEqual(rows.filter { $0[0] == panel && $0[1] == "item" && String($0[2]) == ds.userIDs[u] }.count, 12, "top-4 per interest")
            }
        }
        let fig = InterestProjection.figure(points: pts, panelTitles: ["Base", "Re4"], users: 3, K: 3, layout: .panels,
                                            caption: "c", title: nil, dpi: 50)
        XCTAssertEqual(fig.axes.count, 6)
        let dir = NSTemporaryDirectory() + "proj-\(getpid()).png"
        try fig.save(dir)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir))
    }

    func testCheckpointFromOtherDataIsRefused() throws {
        let dir = makeTempDir()
        let (ds, request) = try plantedCSV(in: dir)
        var p = Checkpoint.Provenance(); p.datasetFingerprint = "0000000000000000"
        try Checkpoint.save(smallModel(ds), provenance: p, path: dir + "/m.safetensors")
        XCTAssertThrowsError(try RunData.open(checkpoints: [dir + "/m.safetensors"], request: request, allowMismatch: false)) {
            XCTAssertTrue($0.localizedDescription.contains("--allow-mismatch"))
        }
        let r = try RunData.open(checkpoints: [dir + "/m.safetensors"], request: request, allowMismatch: true)
        XCTAssertEqual(r.warnings.count, 1)
        // A plain export (no fingerprint) is used with a warning that says so.
        try Checkpoint.save(smallModel(ds), provenance: Checkpoint.Provenance(), path: dir + "/plain.safetensors")
        let plain = try RunData.open(checkpoints: [dir + "/plain.safetensors"], request: request, allowMismatch: false)
        XCTAssertTrue(plain.warnings.first?.contains("no data fingerprint") ?? false, "\(plain.warnings)")
    }
}

/// `re4 train --log-distinctness` (Re4Core's `EpochDistinctness`) and
/// `re4-viz distinct` measure the same thing: on the same users, each logged
/// statistic is the mean of `distinct`'s per-user values.
final class EpochDistinctnessTests: XCTestCase {
    func testLoggedStatisticsMatchDistinct() throws {
        let ds = try plantedDataset()
        let m = smallModel(ds)
        let users = ds.users(in: .valid)
        let logged = EpochDistinctness.measure(model: m, dataset: ds, users: users)
        let per = Distinctness.perUser(model: m, dataset: ds, users: users)
        func mean(_ k: String) -> Double { let v = per[k]!.filter(\.isFinite); return v.reduce(0, +) / Double(v.count) }
        for (log, viz) in [("dist_cos_U", "cos_U"), ("dist_cos_U_slot", "cos_U_slot"), ("dist_attention_entropy", "attention_entropy"),
                           ("dist_attention_top_share", "attention_top_share")] {
            XCTAssertEqual(logged[log]!, mean(viz), accuracy: 1e-6, log)
        }
        // dead_interest_share in `distinct` uses the user's held-out items of its own split; the same here.
        XCTAssertEqual(logged["dist_dead_interest_share"]!, mean("dead_interest_share"), accuracy: 1e-9)
        // The routing penalty is REMI's loss per user: the same as RoutingRegularizer over these rows.
        let r = Evaluator.interests(model: m, dataset: ds, users: users, keepZA: true)
        let total = RoutingRegularizer.loss(A: r.A!.p, B: users.count, K: m.config.interests, L: m.config.maxLength, d: m.config.dim, scale: 1, dLogits: nil)
        XCTAssertEqual(logged["dist_routing_penalty"]!, total / Double(users.count), accuracy: 1e-9)
    }

    func testSampleIsFixedBySeedAndCapped() throws {
        let ds = try plantedDataset()
        XCTAssertEqual(EpochDistinctness.sample(ds, seed: 1), ds.users(in: .valid), "fewer users than the cap: all of them")
    }
}

/// `distinct` with two models on the same users compares them user by user.
final class DistinctPairedTests: XCTestCase {
    func perUser(_ f: (Int) -> Double) -> [String: [Double]] {
        var out: [String: [Double]] = [:]
        for (k, _) in Distinctness.definitions { out[k] = (0..<6).map { _ in Double.nan } }
        out["cos_U"] = (0..<6).map(f); out["cos_Z"] = (0..<6).map(f)          // Z ≡ U: one statistic
        out["attention_entropy"] = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
        return out
    }

    func testPairedDifferenceReplacesIntervalOverlap() throws {
        let ds = try plantedDataset(), m = smallModel(ds)
        // Users differ a lot from one another, the models little but always the same way:
        // unpaired intervals overlap, the paired difference is +0.01 for every user.
        let a = Distinctness.report(checkpoint: "a/best.safetensors", perUser: perUser { Double($0) * 0.2 }, model: m, dataset: ds, seed: 1)
        let b = Distinctness.report(checkpoint: "b/best.safetensors", perUser: perUser { Double($0) * 0.2 + 0.01 }, model: m, dataset: ds, seed: 1)
        XCTAssertLessThan(b.value("cos_U")!.low, a.value("cos_U")!.high, "the unpaired intervals overlap")
        let p = try XCTUnwrap(Distinctness.paired(a, b, seed: 1))
        let row = try XCTUnwrap(p.rows.first { $0.key == "cos_U" })
        XCTAssertEqual(row.difference, 0.01, accuracy: 1e-12)
        XCTAssertEqual(row.low, 0.01, accuracy: 1e-12); XCTAssertEqual(row.high, 0.01, accuracy: 1e-12)
        XCTAssertEqual(row.users, 6)
        XCTAssertEqual(p.duplicates.map(\.0), ["cos_Z"], "cos_Z repeats cos_U: left out of the family")
        XCTAssertFalse(p.rows.contains { $0.key == "cos_Z" })
        XCTAssertEqual(p.rows.count, 2, "cos_U and attention_entropy")
        let md = Distinctness.format([a, b], as: .markdown, seed: 1)
        XCTAssertFalse(md.contains("overlap"), md)
        XCTAssertTrue(md.contains("+0.0100 [+0.0100, +0.0100]"), md)
        XCTAssertTrue(md.contains("cos_Z = cos_U"), md)
        XCTAssertFalse(md.contains("| cos_Z |"), md)
        for f in Distinctness.Format.allCases { XCTAssertFalse(Distinctness.format([a, b], as: f, seed: 1).lowercased().contains("nan"), "\(f)") }
        let json = Distinctness.format([a, b], as: .json, seed: 1)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(json.utf8)), json)
    }
}
