import Foundation
import XCTest
import TestSupport
@testable import Re4Core

/// Outputs are published together, never onto an input, and a failure part
/// way leaves every existing file as it was and no temporary behind.
final class OutputSetTests: XCTestCase {
    struct Boom: Error {}

    func testAFailureAfterTheFirstOutputPublishesNothing() throws {
        let dir = makeTempDir()
        write("old figure", dir + "/f.png"); write("old csv", dir + "/c.csv")
        do {
            let set = try OutputSet(outputs: [dir + "/f.png", dir + "/c.csv"], inputs: [])
            try set.stage(dir + "/f.png", data: Data("new figure".utf8))
            try set.stage(dir + "/c.csv") { _ in throw Boom() }
            XCTFail("must throw")
        } catch is Boom {}
        XCTAssertEqual(try String(contentsOfFile: dir + "/f.png", encoding: .utf8), "old figure")
        XCTAssertEqual(try String(contentsOfFile: dir + "/c.csv", encoding: .utf8), "old csv")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["c.csv", "f.png"], "no temporary left")
    }

    func testOutputsAreCheckedBeforeAnythingIsWritten() throws {
        let dir = makeTempDir()
        write("input", dir + "/x.npy")
        assertThrowsMessage(["missing", "does not exist"]) { try OutputSet(outputs: [dir + "/f.png", dir + "/missing/c.csv"], inputs: []) }
        assertThrowsMessage(["is the input", "x.npy"]) { try OutputSet(outputs: [dir + "/x.npy"], inputs: [dir + "/x.npy"]) }
        // The same file by another name (a symbolic link) is caught too.
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.npy", withDestinationPath: dir + "/x.npy")
        assertThrowsMessage(["is the input"]) { try OutputSet(outputs: [dir + "/link.npy"], inputs: [dir + "/x.npy"]) }
        assertThrowsMessage(["named twice"]) { try OutputSet(outputs: [dir + "/a.csv", dir + "/./a.csv"], inputs: []) }
        XCTAssertEqual(try String(contentsOfFile: dir + "/x.npy", encoding: .utf8), "input")
        let set = try OutputSet(outputs: [dir + "/y.csv"], inputs: [dir + "/x.npy"])
        try set.stage(dir + "/y.csv", data: Data("y".utf8))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/y.csv"), "not published before commit")
        try set.commit()
        XCTAssertEqual(try String(contentsOfFile: dir + "/y.csv", encoding: .utf8), "y")
    }
}
