import Foundation
import XCTest
import TestSupport

/// The fuzz targets are built with the package and run briefly on every test
/// run: each replays its committed corpus and 3,000 seeded mutations of it
/// (`make fuzz` runs the same entries under libFuzzer for longer).
final class FuzzReplayTests: XCTestCase {
    func testEveryFuzzTargetReplaysItsCorpusAndMutationsWithoutACrash() throws {
        let fuzz = try builtExecutable("re4-fuzz")
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fuzz/corpus").path
        for target in ["binary", "text", "files", "pickle"] {
            let r = try runExecutable(fuzz, [target, "replay", "--mutations", "3000", "--seed", "7", corpus + "/" + target])
            XCTAssertEqual(r.status, 0, "\(target): \(r.err)")
            XCTAssertTrue(r.out.contains("3000 mutations ran without a crash"), r.out)
            XCTAssertFalse(r.out.contains(" 0 corpus inputs"), "\(target): the corpus is empty")
        }
        XCTAssertNotEqual(try runExecutable(fuzz, ["nope"]).status, 0)
    }
}
