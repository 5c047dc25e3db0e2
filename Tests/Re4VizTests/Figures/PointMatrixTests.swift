import Foundation
import XCTest
import TestSupport
@testable import Re4Viz
@testable import Re4Core
import Plot

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

/// `re4-viz scatter --color-by`: labels of any integer dtype or names, a legend, many categories.
final class ScatterLabelTests: XCTestCase {
    func int64Npy(_ v: [Int64], shape: [Int]) -> Data {
        var d = Npy.header(descr: "<i8", shape: shape)
        v.withUnsafeBytes { d.append(contentsOf: $0) }
        return d
    }

    func testIntegerNpyOfAnyShapeAndTextLabels() throws {
        let dir = makeTempDir()
        try int64Npy([3, 1, 3, 10], shape: [4]).write(to: URL(fileURLWithPath: dir + "/l1.npy"))
        XCTAssertEqual(try PointsEmbedding.readLabels(path: dir + "/l1.npy", count: 4), ["3", "1", "3", "10"])
        try int64Npy([3, 1, 3, 10], shape: [4, 1]).write(to: URL(fileURLWithPath: dir + "/l2.npy"))
        XCTAssertEqual(try PointsEmbedding.readLabels(path: dir + "/l2.npy", count: 4), ["3", "1", "3", "10"])
        XCTAssertEqual(PointsEmbedding.categories(["3", "1", "3", "10"]), ["1", "3", "10"], "numeric order, not text order")
        write("genre\nDrama\nComedy\nDrama\n", dir + "/g.txt")
        XCTAssertEqual(try PointsEmbedding.readLabels(path: dir + "/g.txt", count: 3), ["Drama", "Comedy", "Drama"], "header line dropped")
        assertThrowsMessage(["g.txt", "4 labels for 5 points"]) { _ = try PointsEmbedding.readLabels(path: dir + "/g.txt", count: 5) }
        try int64Npy([1, 2, 3, 4], shape: [2, 2]).write(to: URL(fileURLWithPath: dir + "/l3.npy"))
        assertThrowsMessage(["shape (N,) or (N, 1)"]) { _ = try PointsEmbedding.readLabels(path: dir + "/l3.npy", count: 4) }
    }

    func testLegendNamesCategoriesAndManyCategoriesGetDistinctColours() throws {
        let n = 30
        let y = (0..<(2 * n)).map { Double($0) }
        let (fig, notes) = PointsEmbedding.scatterFigure(y, n: n, labels: (0..<n).map { "c\($0)" }, size: 3, title: nil, dpi: 50)
        XCTAssertTrue(fig.axes[0].equalAspect)
        XCTAssertEqual(fig.axes[0].legendEntries.count, PointsEmbedding.legendLimit)
        XCTAssertEqual(notes.count, 1)
        let colors = Palette.categorical(n).map { "\($0)" }
        XCTAssertEqual(Set(colors).count, n, "no two categories share a colour")
        let (small, none) = PointsEmbedding.scatterFigure(y, n: n, labels: (0..<n).map { $0 % 2 == 0 ? "even" : "odd" }, size: 3, title: nil, dpi: 50)
        XCTAssertEqual(small.axes[0].legendEntries.map(\.label), ["even (15)", "odd (15)"])
        XCTAssertTrue(none.isEmpty)
    }
}
