import Foundation
import XCTest
import TestSupport
@testable import Re4Core

/// `re4 data synth`: seeded, the structure planted as asked, read back with its truth.
final class SyntheticTests: XCTestCase {
    func spec(noise: Double = 0, seed: UInt64 = 3) -> SyntheticSpec {
        var s = SyntheticSpec()
        s.users = 200; s.items = 1_000; s.categories = 10; s.maxInterests = 3; s.noise = noise
        s.minLength = 20; s.maxLength = 60; s.seed = seed
        return s
    }

    func testSameSeedSameBytesAndTheTruthIsWhatTheSequencesFollow() throws {
        let a = makeTempDir("a"), b = makeTempDir("b"), c = makeTempDir("c")
        try Synthetic.write(spec(), to: a); try Synthetic.write(spec(), to: b); try Synthetic.write(spec(seed: 4), to: c)
        for f in [Synthetic.interactionsFile, Synthetic.itemsFile, Synthetic.truthFile] {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: a + "/" + f)), try Data(contentsOf: URL(fileURLWithPath: b + "/" + f)), f)
        }
        XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: a + "/interactions.csv")),
                          try Data(contentsOf: URL(fileURLWithPath: c + "/interactions.csv")))
        let ds = try DataSource(data: a).load()
        XCTAssertTrue(ds.hasTruth); XCTAssertTrue(ds.hasCategories)
        XCTAssertEqual(ds.userCount, 200)
        for u in 0..<ds.userCount {
            let planted = Set(ds.planted[u].map(\.category))
            XCTAssertTrue((1...3).contains(planted.count))
            XCTAssertEqual(ds.planted[u].map(\.weight).reduce(0, +), 1, accuracy: 1e-5)
            // Without noise every item is in one of the user's planted categories.
            for it in ds.sequences[u] { XCTAssertTrue(planted.contains(ds.itemCategories[Int(it)][0]), "user \(u)") }
            XCTAssertTrue((20...60).contains(ds.sequences[u].count))
        }
    }

    /// `--fixed-users`: galleries of different sizes share every user-side draw.
    func testFixedUsersShareTheUsersAcrossGallerySizes() throws {
        func write(items: Int, fixed: Bool) throws -> String {
            var s = spec(noise: 0.2); s.items = items; s.fixedUsers = fixed
            let d = makeTempDir("g\(items)\(fixed)")
            try Synthetic.write(s, to: d)
            return d
        }
        func read(_ d: String, _ f: String) throws -> String { try String(contentsOfFile: d + "/" + f, encoding: .utf8) }
        func userAndTime(_ d: String) throws -> [String] {
            try read(d, Synthetic.interactionsFile).split(separator: "\n").map { l in let f = l.split(separator: ","); return "\(f[0]),\(f[2])" }
        }
        let small = try write(items: 1_000, fixed: true), large = try write(items: 20_000, fixed: true)
        XCTAssertEqual(try read(small, Synthetic.truthFile), try read(large, Synthetic.truthFile), "the same planted interests and weights")
        XCTAssertEqual(try userAndTime(small), try userAndTime(large), "the same sequences' users, lengths and timestamps")
        XCTAssertNotEqual(try read(small, Synthetic.interactionsFile), try read(large, Synthetic.interactionsFile), "other items")
        // Without the flag the item shuffle shifts the users' draws.
        XCTAssertNotEqual(try read(try write(items: 1_000, fixed: false), Synthetic.truthFile),
                          try read(try write(items: 20_000, fixed: false), Synthetic.truthFile))
        // The planted structure still holds in the large gallery: non-noise items in planted categories.
        let ds = try DataSource(data: large).load()
        var inPlanted = 0, total = 0
        for u in 0..<ds.userCount {
            let planted = Set(ds.planted[u].map(\.category))
            for it in ds.sequences[u] { total += 1; if planted.contains(ds.itemCategories[Int(it)][0]) { inPlanted += 1 } }
        }
        XCTAssertGreaterThan(Double(inPlanted) / Double(total), 0.8)
    }

    func testNoiseAndCategorySizesAreAsAsked() throws {
        let dir = makeTempDir()
        try Synthetic.write(spec(noise: 0.3), to: dir)
        let ds = try DataSource(data: dir + "/interactions.csv").load()
        var outside = 0, total = 0
        for u in 0..<ds.userCount {
            let planted = Set(ds.planted[u].map(\.category))
            for it in ds.sequences[u] { total += 1; if !planted.contains(ds.itemCategories[Int(it)][0]) { outside += 1 } }
        }
        // A noise item falls outside the planted categories unless it lands in one of them by chance.
        let share = Double(outside) / Double(total)
        XCTAssertGreaterThan(share, 0.12); XCTAssertLessThan(share, 0.3)
        let items = try String(contentsOfFile: dir + "/items.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        var sizes: [Substring: Int] = [:]
        for line in items { sizes[line.split(separator: ",").last!, default: 0] += 1 }
        XCTAssertEqual(sizes.count, 10); XCTAssertEqual(Set(sizes.values), [100], "1000 items dealt evenly into 10 categories")
    }

    func testOutOfRangeSettingsAreRefusedByName() {
        var s = spec(); s.items = 10
        assertThrowsMessage(["--items 10", "1000"]) { try s.check() }
        s = spec(); s.maxInterests = 11
        assertThrowsMessage(["--max-interests 11"]) { try s.check() }
        s = spec(); s.noise = 1
        assertThrowsMessage(["--noise 1"]) { try s.check() }
        s = spec(); s.minLength = 50; s.maxLength = 40
        assertThrowsMessage(["--min-length/--max-length 50/40"]) { try s.check() }
    }
}
