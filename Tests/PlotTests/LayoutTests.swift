import Foundation
import XCTest
@testable import Plot

/// Layout and layering: what a figure must get right for a paper (issue 18's
/// list): fills under lines, unused cells not drawn, aligned frames, wrapped
/// titles, a figure-level legend, and the user's size, font and labels.
final class LayoutTests: XCTestCase {
    func tmp(_ name: String) -> String { NSTemporaryDirectory() + "plot-layout-\(getpid())-\(name)" }

    func render(_ f: Figure, _ name: String) throws -> PixelImage {
        try f.save(tmp(name + ".png"))
        return try PixelImage.read(png: tmp(name + ".png"))
    }

    func rgb(_ img: PixelImage, _ x: Int, _ y: Int) -> (Int, Int, Int) {
        let i = 4 * (y * img.width + x)
        return (Int(img.bytes[i + 2]), Int(img.bytes[i + 1]), Int(img.bytes[i]))
    }

    /// Columns of the frame's left spine: x positions where a long vertical run of black pixels starts.
    func spineColumns(_ img: PixelImage, rows: Range<Int>) -> [Int] {
        (0..<img.width).filter { x in
            rows.filter { y in let (r, g, b) = rgb(img, x, y); return r < 60 && g < 60 && b < 60 }.count > rows.count / 2
        }
    }

    func testABandAddedAfterALineDoesNotCoverIt() throws {
        var f = Figure(width: 3, height: 2, dpi: 100)
        var ax = Axes(); ax.showTicks = false
        ax.line(x: [0, 10], y: [5, 5], color: Color(hex: "#0000ff"), width: 4)
        ax.band(x: [0, 10], lower: [0, 0], upper: [10, 10], color: Color(hex: "#ff0000"))
        f.axes[0] = ax
        let img = try render(f, "band")
        // The line runs through the middle row: pure blue there, not blue tinted by the red fill.
        let y = (0..<img.height).max { a, b in
            (0..<img.width).filter { rgb(img, $0, a) == (0, 0, 255) }.count < (0..<img.width).filter { rgb(img, $0, b) == (0, 0, 255) }.count
        }!
        let blue = (0..<img.width).filter { rgb(img, $0, y) == (0, 0, 255) }.count
        XCTAssertGreaterThan(blue, img.width / 2, "the line keeps its own colour above the band")
        // The band itself is drawn: light red above the line.
        let (r, g, b) = rgb(img, img.width / 2, y - 20)
        XCTAssertEqual(r, 255); XCTAssertLessThan(g, 230); XCTAssertEqual(g, b)
    }

    func testHiddenCellsAreNotDrawn() throws {
        var f = Figure(rows: 1, columns: 2, width: 4, height: 2, dpi: 100)
        var ax = Axes(title: "used"); ax.line(x: [0, 1], y: [0, 1], color: .black)
        f.axes[0] = ax
        f.axes[1] = .hiddenCell
        let img = try render(f, "hidden")
        let rightHalfInk = (img.width / 2 + 2..<img.width).flatMap { x in (0..<img.height).map { (x, $0) } }
            .filter { rgb(img, $0.0, $0.1) != (255, 255, 255) }.count
        XCTAssertEqual(rightHalfInk, 0, "nothing drawn in the unused cell")
        // The same figure with an ordinary empty axes there draws its frame.
        var g = f; g.axes[1] = Axes(); g.axes[1].showTicks = false
        let img2 = try render(g, "shown")
        XCTAssertGreaterThan((img2.width / 2 + 2..<img2.width).filter { x in (0..<img2.height).contains { rgb(img2, x, $0) == (0, 0, 0) } }.count, 0)
    }

    func testFramesAlignAcrossRowsAndColumns() throws {
        // Two rows, one column: wide y labels above, narrow below; the left spines align.
        var f = Figure(rows: 2, columns: 1, width: 4, height: 4, dpi: 100)
        var a = Axes(title: "wide"); a.line(x: [0, 1], y: [0.00012, 0.00034], color: .black)
        var b = Axes(); b.line(x: [0, 1], y: [1, 2], color: .black)
        f.axes[0] = a; f.axes[1] = b
        let img = try render(f, "align-rows")
        let upper = spineColumns(img, rows: img.height / 8..<img.height * 3 / 8)
        let lower = spineColumns(img, rows: img.height * 5 / 8..<img.height * 7 / 8)
        XCTAssertFalse(upper.isEmpty); XCTAssertEqual(upper.first, lower.first, "left spines in one column align")
        // One row, two columns: a title on one only; the top spines align.
        var h = Figure(rows: 1, columns: 2, width: 5, height: 2.5, dpi: 100)
        var t = Axes(title: "a title"); t.line(x: [0, 1], y: [0, 1], color: .black)
        var u = Axes(); u.line(x: [0, 1], y: [0, 1], color: .black)
        h.axes[0] = t; h.axes[1] = u
        let img3 = try render(h, "align-cols")
        func topSpine(_ x0: Int) -> Int? {
            (0..<img3.height).first { y in (x0..<x0 + 40).allSatisfy { let (r, g, b) = rgb(img3, $0, y); return r < 160 && g < 160 && b < 160 } }
        }
        XCTAssertNotNil(topSpine(img3.width / 4))
        XCTAssertEqual(topSpine(img3.width / 4), topSpine(img3.width * 3 / 4))
    }

    func testLongTitlesWrapInsideTheirWidth() throws {
        let c = try CairoCanvas(format: .png, path: tmp("wrap.png"), widthPt: 200, heightPt: 100, dpi: 72)
        let s = "ML-1M: test metrics at the best validation epoch among the first 15 (seeds: Base 3, Re4 3; whiskers: min–max over seeds)"
        let lines = c.wrap(s, size: 10, width: 150)
        XCTAssertGreaterThan(lines.count, 2)
        for l in lines { XCTAssertLessThanOrEqual(c.textWidth(l, size: 10), 150, l) }
        XCTAssertEqual(lines.joined(separator: " "), s, "no word lost or split")
        // Just over two lines at size 10: a slightly smaller size fits two.
        let w2 = c.textWidth(s, size: 10) / 2.1
        let (two, size) = c.wrapped(s, size: 10, width: w2, maxLines: 2)
        XCTAssertEqual(two.count, 2); XCTAssertLessThan(size, 10); XCTAssertGreaterThan(size, 8)
        for l in two { XCTAssertLessThanOrEqual(c.textWidth(l, size: size), w2) }
        XCTAssertEqual(c.wrap("one", size: 10, width: 1), ["one"], "a word wider than the width stays whole")
        // A figure with that title: the text stays inside the image (no ink on the first and last columns).
        var f = Figure(width: 3, height: 2.4, dpi: 100, title: s)
        f.axes[0].line(x: [0, 1], y: [0, 1], color: .black)
        let img = try render(f, "wrapped")
        for x in [0, 1, img.width - 2, img.width - 1] {
            XCTAssertTrue((0..<img.height / 3).allSatisfy { rgb(img, x, $0) == (255, 255, 255) }, "column \(x) clear")
        }
    }

    func testFigureLegendDrawsEveryEntryAboveThePanels() throws {
        var f = Figure(rows: 1, columns: 2, width: 5, height: 2.5, dpi: 100, title: "t")
        for i in 0..<2 { f.axes[i].line(x: [0, 1], y: [0, 1], color: .black); f.axes[i].showTicks = false }
        f.legend = [LegendEntry("Base", color: Color(hex: "#ff0000")), LegendEntry("Re4", color: Color(hex: "#00ff00"))]
        let img = try render(f, "figlegend")
        func rows(of c: (Int, Int, Int)) -> [Int] { (0..<img.height).filter { y in (0..<img.width).contains { rgb(img, $0, y) == c } } }
        let red = rows(of: (255, 0, 0)), green = rows(of: (0, 255, 0))
        XCTAssertFalse(red.isEmpty); XCTAssertFalse(green.isEmpty)
        XCTAssertLessThan(red.max()!, img.height / 3, "the legend sits in the strip above the panels")
        XCTAssertEqual(red.min(), green.min(), "entries share a row")
    }

    func testStyleSetsSizeFontAndOuterLabels() throws {
        var f = Figure(rows: 2, columns: 2, width: 6, height: 4, dpi: 100)
        f.axes[3] = .hiddenCell
        let s = FigureStyle(width: 3, height: 2, fontSize: 7, xLabel: "epoch", yLabel: "Recall@50")
        let g = f.styled(s)
        XCTAssertEqual(g.width, 3); XCTAssertEqual(g.height, 2); XCTAssertEqual(g.fontSize, 7)
        // x label on the lowest drawn panel of each column; y label on the first of each row.
        XCTAssertEqual(g.axes.map(\.xLabel), [nil, "epoch", "epoch", nil])
        XCTAssertEqual(g.axes.map(\.yLabel), ["Recall@50", nil, "Recall@50", nil])
        var h = f; h.axes[2].xLabel = "x"
        XCTAssertNil(h.styled(FigureStyle(xLabel: "")).axes[2].xLabel, "an empty label removes it")
        XCTAssertEqual(try render(g, "styled").width, 300)
        guard case .success(let wh) = FigureStyle.parseSize("6.4, 4.8") else { return XCTFail() }
        XCTAssertEqual(wh.0, 6.4); XCTAssertEqual(wh.1, 4.8)
        for bad in ["6.4", "a,b", "0,3", "-1,2", "6,4,3", "500,2", ""] {
            guard case .failure(let e) = FigureStyle.parseSize(bad) else { XCTFail(bad); continue }
            XCTAssertTrue(e.localizedDescription.contains("W,H"), bad)
        }
        XCTAssertThrowsError(try FigureStyle.checkFontSize(0))
        XCTAssertThrowsError(try FigureStyle.checkFontSize(.nan))
        XCTAssertNoThrow(try FigureStyle.checkFontSize(12))
    }
}
