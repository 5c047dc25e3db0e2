import Foundation
import XCTest
import TestSupport
@testable import Re4Viz
import Re4Core

final class PointMatrixTests: XCTestCase {
    func testReadsNpyAndCSVAndRejectsBadFiles() throws {
        let d = makeTempDir("re4viz")
        try Npy.write(Tensor(shape: [3, 2], values: [1, 2, 3, 4, 5, 6]), path: d + "/a.npy")
        let a = try PointMatrix.read(path: d + "/a.npy")
        XCTAssertEqual(a.n, 3); XCTAssertEqual(a.dim, 2); XCTAssertEqual(a.values, [1, 2, 3, 4, 5, 6])
        try "x,y\n1,2\n3,4\n".write(toFile: d + "/b.csv", atomically: true, encoding: .utf8)
        let b = try PointMatrix.read(path: d + "/b.csv")
        XCTAssertEqual(b.n, 2); XCTAssertEqual(b.values, [1, 2, 3, 4])
        try "1,2\n3,oops\n".write(toFile: d + "/c.csv", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PointMatrix.read(path: d + "/c.csv")) { XCTAssertTrue("\($0.localizedDescription)".contains("c.csv:2")) }
        try "1,2\n3\n".write(toFile: d + "/e.csv", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PointMatrix.read(path: d + "/e.csv"))
        try Npy.write(Tensor(shape: [4], values: [1, 2, 3, 4]), path: d + "/f.npy")
        XCTAssertThrowsError(try PointMatrix.read(path: d + "/f.npy")) { XCTAssertTrue($0.localizedDescription.contains("2-D")) }
        try "".write(toFile: d + "/g.csv", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PointMatrix.read(path: d + "/g.csv")) { XCTAssertTrue($0.localizedDescription.contains("no data rows")) }
    }

    func testWritesEmbeddings() throws {
        let d = makeTempDir("re4viz")
        try PointMatrix.writeEmbedding([1, 2, 3, 4], n: 2, path: d + "/y.npy")
        XCTAssertEqual(try Npy.read(path: d + "/y.npy"), Tensor(shape: [2, 2], values: [1, 2, 3, 4]))
        try PointMatrix.writeEmbedding([1, 2, 3, 4], n: 2, path: d + "/y.csv")
        XCTAssertEqual(try String(contentsOfFile: d + "/y.csv", encoding: .utf8), "x,y\n1.0,2.0\n3.0,4.0\n")
    }
}
