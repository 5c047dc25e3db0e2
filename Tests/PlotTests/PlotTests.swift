import Foundation
import XCTest
import TestSupport
@testable import Plot

final class TickTests: XCTestCase {
    /// Expected values written down from matplotlib 3.10 (MaxNLocator(nbins=9,
    /// steps=[1, 2, 2.5, 5, 10]) and ScalarFormatter), ticks inside the limits.
    let cases: [((Double, Double), [Double], [String])] = [
        ((0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1.0], ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]),
        ((0, 10), [0, 2, 4, 6, 8, 10], ["0", "2", "4", "6", "8", "10"]),
        ((-1, 1), [-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1], ["−1.00", "−0.75", "−0.50", "−0.25", "0.00", "0.25", "0.50", "0.75", "1.00"]),
        ((0, 0.37), [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35], ["0.00", "0.05", "0.10", "0.15", "0.20", "0.25", "0.30", "0.35"]),
        ((3, 97), [20, 40, 60, 80], ["20", "40", "60", "80"]),
        ((0.001, 0.0023), [0.001, 0.0012, 0.0014, 0.0016, 0.0018, 0.002, 0.0022], ["0.0010", "0.0012", "0.0014", "0.0016", "0.0018", "0.0020", "0.0022"]),
        ((-250, 1250), [-200, 0, 200, 400, 600, 800, 1000, 1200], ["−200", "0", "200", "400", "600", "800", "1000", "1200"]),
        ((0, 0.1605), [0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.14, 0.16], ["0.00", "0.02", "0.04", "0.06", "0.08", "0.10", "0.12", "0.14", "0.16"]),
        ((1, 30), [5, 10, 15, 20, 25, 30], ["5", "10", "15", "20", "25", "30"]),
        ((0.79, 0.84), [0.79, 0.8, 0.81, 0.82, 0.83, 0.84], ["0.79", "0.80", "0.81", "0.82", "0.83", "0.84"]),
        ((1e5, 3.7e5), [100000, 150000, 200000, 250000, 300000, 350000], ["100000", "150000", "200000", "250000", "300000", "350000"]),
        ((-7.3, 2.1), [-6, -4, -2, 0, 2], ["−6", "−4", "−2", "0", "2"]),
    ]

    func testTicksAndLabelsMatchMatplotlib() {
        for ((lo, hi), ticks, labels) in cases {
            let t = Ticks.locate(lo, hi)
            XCTAssertEqual(t.count, ticks.count, "\(lo)…\(hi): \(t)")
            for (a, b) in zip(t, ticks) { XCTAssertEqual(a, b, accuracy: 1e-9 * max(1, abs(b)), "\(lo)…\(hi)") }
            XCTAssertEqual(Ticks.labels(t), labels, "\(lo)…\(hi)")
        }
    }

    /// matplotlib 3.10: MaxNLocator(nbins=n, integer=True, steps=[1, 2, 2.5, 5, 10]).tick_values(lo, hi),
    /// ticks inside [lo, hi].
    func testIntegerTicksMatchMatplotlib() {
        let cases: [((Double, Double), Int, [Double])] = [
            ((0.85, 4.15), 9, [1.0, 2.0, 3.0, 4.0]),
            ((0.85, 4.15), 4, [1.0, 2.0, 3.0, 4.0]),
            ((-0.45, 30.45), 9, [0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0]),
            ((-0.45, 30.45), 5, [0.0, 10.0, 20.0, 30.0]),
            ((0.9, 2.1), 9, [1.0, 2.0]),
            ((0.3, 0.7), 9, [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7]),
            ((-0.05, 1.05), 9, [0.0, 1.0]),
            ((1, 301), 9, [50.0, 100.0, 150.0, 200.0, 250.0, 300.0]),
        ]
        for ((lo, hi), n, expected) in cases {
            let t = Ticks.locate(lo, hi, maxIntervals: n, integer: true)
            XCTAssertEqual(t.count, expected.count, "\(lo)…\(hi) / \(n): \(t)")
            for (a, b) in zip(t, expected) { XCTAssertEqual(a, b, accuracy: 1e-9, "\(lo)…\(hi) / \(n)") }
        }
    }

    func testDegenerateRanges() {
        XCTAssertEqual(Ticks.locate(5, 5), [5])
        XCTAssertEqual(Ticks.locate(.nan, 1), [])
        XCTAssertEqual(Ticks.locateLog(0.5, 2000), [1, 10, 100, 1000])
        XCTAssertEqual(Ticks.logLabels([0.01, 1, 100, 1e6, 1e12]), ["10⁻²", "10⁰", "10²", "10⁶", "10¹²"])
        // Two powers or more: just the powers; fewer: 1, 2, 5 times them (3 too when that is under three), every digit within 0.4 decades.
        func close(_ a: [Double], _ b: [Double], _ line: UInt = #line) {
            XCTAssertEqual(a.count, b.count, "\(a)", line: line)
            for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-12 * y, line: line) }
        }
        close(Ticks.locateLog(0.09, 1.1), [0.1, 1])
        close(Ticks.locateLog(0.09, 0.6), [0.1, 0.2, 0.5])
        close(Ticks.locateLog(0.15, 0.9), [0.2, 0.3, 0.5])
        close(Ticks.locateLog(0.03, 0.15), [0.03, 0.05, 0.1])
        close(Ticks.locateLog(0.25, 0.6), [0.3, 0.4, 0.5, 0.6])
        close(Ticks.locateLog(0.009, 0.21), [0.01, 0.1])
        close(Ticks.locateLog(0.3, 4), [0.5, 1, 2])
        close(Ticks.locateLog(0.5, 2000), [1, 10, 100, 1000])
        XCTAssertEqual(Ticks.logLabels([0.2, 0.3, 5e-3, 1, 20]), ["2×10⁻¹", "3×10⁻¹", "5×10⁻³", "10⁰", "2×10¹"])
        // Tiny and huge linear ticks share a power of ten instead of printing as 0 or 20 digits.
        XCTAssertEqual(Ticks.labels([1e-7, 2e-7, 3e-7]), ["1×10⁻⁷", "2×10⁻⁷", "3×10⁻⁷"])
        XCTAssertEqual(Ticks.labels([0, 5e-8, 1e-7, 1.5e-7]), ["0", "0.5×10⁻⁷", "1.0×10⁻⁷", "1.5×10⁻⁷"])
        XCTAssertEqual(Ticks.labels([2e6, 4e6]), ["2×10⁶", "4×10⁶"])
        XCTAssertEqual(Ticks.labels([0, 0.0001, 0.0002]), ["0.0000", "0.0001", "0.0002"])
    }
}

final class FigureTests: XCTestCase {
    var goldenDir: String { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path }

    func tmp(_ name: String) -> String { NSTemporaryDirectory() + "plot-\(getpid())-\(name)" }

    func scatterFigure() -> Figure {
        var f = Figure(width: 4, height: 3, dpi: 100)
        var ax = Axes(title: "scatter")
        let xs = (0..<40).map { Double($0) / 4 }
        ax.scatter(x: xs, y: xs.map { sin($0) }, color: Palette.tab10.color(0), label: "items")
        ax.scatter(x: [2, 6], y: [0.5, -0.5], color: Palette.tab10.color(1), marker: .star, size: 12, edge: .black, label: "interests")
        for (i, m) in [Marker.square, .triangle, .cross].enumerated() {
            ax.scatter(x: [Double(i) * 3 + 1], y: [-0.8], color: Palette.okabeIto.color(i), marker: m, size: 8)
        }
        ax.xLabel = "x"; ax.yLabel = "sin x"
        f.axes[0] = ax
        return f
    }

    func lineFigure() -> Figure {
        var f = Figure(width: 4, height: 3, dpi: 100, title: "curves")
        var ax = Axes()
        let e = (1...20).map(Double.init)
        ax.band(x: e, lower: e.map { 0.1 + 0.01 * $0 - 0.01 }, upper: e.map { 0.1 + 0.01 * $0 + 0.01 }, color: Palette.tab10.color(0))
        ax.line(x: e, y: e.map { 0.1 + 0.01 * $0 }, color: Palette.tab10.color(0), label: "Re4")
        ax.line(x: e, y: e.map { 0.12 + 0.005 * $0 }, color: Palette.tab10.color(1), dashed: true, label: "Base")
        ax.grid = true; ax.xLabel = "epoch"
        f.axes[0] = ax
        return f
    }

    func gridFigure() -> Figure {
        var f = Figure(rows: 1, columns: 2, width: 6, height: 3, dpi: 100, title: "Base | Re4")
        f.shareY = true
        for c in 0..<2 {
            var ax = Axes(title: c == 0 ? "Base" : "Re4")
            ax.scatter(x: [0, 1, 2, 3], y: [1, 3, 2, Double(4 + c)], color: Palette.tab10.color(c), marker: .circle, size: 7)
            ax.equalAspect = true
            f.axes[c] = ax
        }
        return f
    }

    /// Renders and compares with the committed golden PNG: decoded pixels within
    /// a small tolerance, and the same bytes (same Cairo, same DejaVu fonts).
    func checkGolden(_ name: String, _ fig: Figure, file: StaticString = #filePath, line: UInt = #line) throws {
        let out = tmp(name + ".png")
        try fig.save(out)
        let golden = goldenDir + "/" + name + ".png"
        if ProcessInfo.processInfo.environment["RE4_UPDATE_GOLDEN"] == "1" || !FileManager.default.fileExists(atPath: golden) {
            try? FileManager.default.removeItem(atPath: golden)
            try FileManager.default.copyItem(atPath: out, toPath: golden)
            if ProcessInfo.processInfo.environment["CI"] != nil { XCTFail("golden \(name).png was missing", file: file, line: line) }
        }
        let a = try PixelImage.read(png: out), b = try PixelImage.read(png: golden)
        guard let d = a.difference(b) else { return XCTFail("size differs: \(a.width)×\(a.height) vs \(b.width)×\(b.height)", file: file, line: line) }
        XCTAssertLessThan(d.mean, 1.0, "mean pixel difference", file: file, line: line)
        XCTAssertLessThan(d.share, 0.01, "share of differing pixels", file: file, line: line)
        if d.mean == 0 {
            XCTAssertEqual(FileManager.default.contents(atPath: out), FileManager.default.contents(atPath: golden), file: file, line: line)
        }
    }

    func barFigure() -> Figure {
        var f = Figure(width: 4, height: 3, dpi: 100, title: "ablation")
        var ax = Axes()
        for (g, (label, h)) in [("Base", [0.15, 0.83]), ("Re4", [0.17, 0.88])].enumerated() {
            let x = [0.0, 1.0].map { $0 + (Double(g) - 0.5) * 0.4 }
            ax.bars(x: x, height: h, width: 0.4, color: Palette.tab10.color(g), low: h.map { $0 - 0.02 }, high: h.map { $0 + 0.02 }, label: label)
        }
        ax.xTickLabels = [(0, "Recall@50"), (1, "HR@50")]
        ax.grid = true
        f.axes[0] = ax
        return f
    }

    /// Bar heights are proportional to the values, from the zero line, and the
    /// whiskers reach above the bar top.
    func testBarGeometry() throws {
        var f = Figure(width: 4, height: 3, dpi: 100)
        var ax = Axes()
        ax.bars(x: [1, 3], height: [5, 8], width: 1, color: Color(hex: "#ff0000"), low: [4, 7], high: [6, 9.5])
        ax.xLimits = 0...4; ax.yLimits = 0...10; ax.showTicks = false
        f.axes[0] = ax
        try f.save(tmp("bars.png"))
        let img = try PixelImage.read(png: tmp("bars.png"))
        func red(_ x: Int, _ y: Int) -> Bool {
            let i = 4 * (y * img.width + x)
            return img.bytes[i + 2] == 0xff && img.bytes[i + 1] == 0 && img.bytes[i] == 0
        }
        func column(_ x: Int) -> [Int] { (0..<img.height).filter { red(x, $0) } }
        let redX = (0..<img.width).filter { !column($0).isEmpty }
        let left = redX.filter { $0 < img.width / 2 }, right = redX.filter { $0 >= img.width / 2 }
        XCTAssertFalse(left.isEmpty); XCTAssertFalse(right.isEmpty)
        let hl = column(left[left.count / 4]), hr = column(right[right.count / 4])     // off the whisker
        XCTAssertEqual(Double(hr.count) / Double(hl.count), 8.0 / 5.0, accuracy: 0.03)
        XCTAssertEqual(hl.max()!, hr.max()!, "both bars stand on the same zero line")
        XCTAssertEqual(Double(right.count) / Double(left.count), 1, accuracy: 0.05, "equal widths")
        // A dark whisker pixel above the right bar's top, at its centre.
        let xc = right[right.count / 2], top = hr.min()! - 2
        let dark = (0..<top).contains { y in let i = 4 * (y * img.width + xc); return img.bytes[i] < 0x40 && img.bytes[i + 1] < 0x40 && img.bytes[i + 2] < 0x40 }
        XCTAssertTrue(dark, "whisker above the bar")
    }

    func testGoldenImages() throws {
        try checkGolden("bars", barFigure())
        try checkGolden("scatter", scatterFigure())
        try checkGolden("lines-legend", lineFigure())
        try checkGolden("grid-1x2", gridFigure())
    }

    func testImagesHaveTheRequestedSizeAndContent() throws {
        try scatterFigure().save(tmp("size.png"))
        let img = try PixelImage.read(png: tmp("size.png"))
        XCTAssertEqual(img.width, 400); XCTAssertEqual(img.height, 300)
        // Not blank: some pixels carry tab10 blue (#1f77b4 → B 0xb4, G 0x77, R 0x1f).
        var blue = 0
        for p in 0..<(img.width * img.height) where img.bytes[4 * p] == 0xb4 && img.bytes[4 * p + 1] == 0x77 && img.bytes[4 * p + 2] == 0x1f { blue += 1 }
        XCTAssertGreaterThan(blue, 100)
        var f = scatterFigure(); f.dpi = 200
        try f.save(tmp("size200.png"))
        XCTAssertEqual(try PixelImage.read(png: tmp("size200.png")).width, 800)
    }

    func testSameInputSameBytesInEveryFormat() throws {
        for ext in ["png", "svg", "pdf"] {
            try lineFigure().save(tmp("a." + ext))
            try lineFigure().save(tmp("b." + ext))
            let a = FileManager.default.contents(atPath: tmp("a." + ext)), b = FileManager.default.contents(atPath: tmp("b." + ext))
            XCTAssertNotNil(a); XCTAssertGreaterThan(a?.count ?? 0, 500, ext)
            XCTAssertEqual(a, b, "identical bytes for .\(ext)")
        }
        let svg = String(decoding: FileManager.default.contents(atPath: tmp("a.svg"))!, as: UTF8.self)
        XCTAssertTrue(svg.contains("<svg"))
        XCTAssertTrue(FileManager.default.contents(atPath: tmp("a.pdf"))!.starts(with: Data("%PDF".utf8)))
    }

    func testBadOutputPaths() {
        XCTAssertThrowsError(try lineFigure().save(tmp("x.gif"))) { XCTAssertEqual($0 as? PlotError, .unknownFormat(path: tmp("x.gif"))) }
        XCTAssertThrowsError(try lineFigure().save("/no/such/folder/x.png")) {
            XCTAssertTrue(($0 as? PlotError)?.errorDescription?.contains("does not exist") ?? false)
        }
    }

    func testPaletteShades() {
        let c = Palette.tab10.color(0)
        XCTAssertEqual(c, Color(hex: "#1f77b4"))
        XCTAssertEqual(c.lighter(1), .white)
        XCTAssertEqual(c.lighter(0), c)
        XCTAssertGreaterThan(c.lighter(0.5).r, c.r)
        XCTAssertEqual(Palette.okabeIto.colors.count, 8)
        XCTAssertEqual(Palette.tab10.color(10), Palette.tab10.color(0))
    }
}
