import Foundation
import XCTest
import TestSupport
import Re4CLI
@testable import Re4Core

/// Feedback on long work: the progress line's text, timing and modes, the epoch
/// line's width, and the bar on a real terminal (a pty made by util-linux `script`).
final class ProgressTests: XCTestCase {
    final class Recorder: @unchecked Sendable { var out: [String] = []; var now = 0.0 }

    func line(tty: Bool, width: Int = 100, _ r: Recorder, quiet: Double = 1) -> ProgressLine {
        ProgressLine("epoch 1", tty: tty, width: width, plainEvery: 30, quiet: quiet, clock: { r.now }, write: { r.out.append($0) })
    }

    func testDurationsReadAsClockTimes() {
        XCTAssertEqual(ProgressLine.duration(0), "0:00")
        XCTAssertEqual(ProgressLine.duration(59.6), "1:00")
        XCTAssertEqual(ProgressLine.duration(125), "2:05")
        XCTAssertEqual(ProgressLine.duration(3725), "1:02:05")
        XCTAssertEqual(ProgressLine.duration(.nan), "?")
    }

    func testTheBarShowsCountElapsedAndETA() {
        let r = Recorder()
        let p = line(tty: true, r)
        r.now = 42
        // 15 of 74 in 42 s: 59 left at 2.8 s each = 165.2 s → 2:45.
        let s = p.render(done: 15, total: 74, detail: "7124 ex/s")
        XCTAssertEqual(s, "epoch 1 [######                        ] 15/74  0:42, ETA 2:45  7124 ex/s")
        XCTAssertFalse(p.render(done: 74, total: 74, detail: "").contains("ETA"), "no ETA once done")
        XCTAssertEqual(p.render(done: 3, total: 0, detail: "neighbours"), "epoch 1 3  0:42  neighbours", "unknown total: no bar")
    }

    func testTheLineFitsTheTerminal() {
        let r = Recorder()
        for w in [40, 60, 80, 120] {
            let p = line(tty: true, width: w, r)
            r.now = 5000
            let s = p.render(done: 123_456, total: 999_999, detail: "123456 ex/s  loss 12.3456 and a long detail")
            XCTAssertLessThan(s.count, w, "\(w): \(s)")
        }
    }

    func testOnATerminalItRedrawsInPlaceAtMostTenTimesASecondAndClears() {
        let r = Recorder()
        let p = line(tty: true, r)
        p.update(1, of: 100)
        XCTAssertTrue(r.out.isEmpty, "quiet during the first second")
        r.now = 1.0; p.update(10, of: 100)
        r.now = 1.05; p.update(11, of: 100)
        r.now = 1.2; p.update(12, of: 100)
        XCTAssertEqual(r.out.count, 2, "the update 50 ms after a draw is skipped")
        XCTAssertTrue(r.out.allSatisfy { $0.hasPrefix("\r") && $0.hasSuffix("\u{1B}[K") })
        p.finish()
        XCTAssertEqual(r.out.last, "\r\u{1B}[K")
    }

    func testElsewhereAPlainLineNowAndThen() {
        let r = Recorder()
        let p = line(tty: false, r)
        for t in stride(from: 0.0, through: 95, by: 0.5) { r.now = t; p.update(Int(t), of: 200) }
        XCTAssertEqual(r.out.count, 4, "a first line at 2 s (after the 1 s quiet), then every 30 s: \(r.out)")
        XCTAssertTrue(r.out.allSatisfy { $0.hasSuffix("\n") && !$0.contains("[") && !$0.contains("\r") })
        XCTAssertTrue(r.out[0].hasPrefix("epoch 1 2/200  0:02, ETA 3:18"), r.out[0])
        XCTAssertTrue(r.out[1].hasPrefix("epoch 1 32/200  0:32"), r.out[1])
        p.finish()
        XCTAssertEqual(r.out.count, 5, "a closing line with the time; nothing to clear off a log")
        XCTAssertEqual(r.out[4], "epoch 1 done in 1:35\n")
    }

    func testEpochLinesFitOneHundredTwentyColumns() {
        var loss = LossBreakdown()
        // The widest a real run gets: 3-digit epochs, up to 10 h per epoch, 6-digit ex/s, losses up to 99.
        loss.total = 99.4567; loss.rec = 99.1234; loss.att = 29.868; loss.ct = 11.0074; loss.cs = 14.0233
        let r = EpochRecord(epoch: 100, seconds: 35_999, examplesPerSecond: 999_999, loss: loss,
                            valid: ["recall@50": 0.2754], test: ["recall@50": 0.2612])
        let s = epochLine(r, isBest: true)
        XCTAssertLessThanOrEqual(s.count, 120, s)
        XCTAssertTrue(s.hasPrefix("epoch 100"), s)
        XCTAssertTrue(s.contains(" 9:59:59 "), s)
        XCTAssertTrue(s.contains("loss rec 99.1234 att 29.868 ct 11.007 cs 14.023"), s)
        XCTAssertTrue(s.contains("valid/test R@50 0.2754/0.2612") && s.hasSuffix(" *best"), s)
        var base = LossBreakdown(); base.total = 3.5; base.rec = 3.5
        XCTAssertTrue(epochLine(EpochRecord(epoch: 2, seconds: 51.2, examplesPerSecond: 15799, loss: base, valid: [:], test: [:]), isBest: false)
                        .hasPrefix("epoch   2    0:51  15799 ex/s  loss rec 3.5000"), "columns line up")
        XCTAssertFalse(epochLine(EpochRecord(epoch: 1, seconds: 1, examplesPerSecond: 1, loss: base, valid: [:], test: [:]), isBest: false).contains("att"),
                       "Base shows its one loss")
    }

    /// `re4 train` and `re4-viz tsne --points` on a real terminal: the bar with
    /// elapsed time and ETA appears, in place, and is cleared before the result.
    func testOnARealTerminalTrainingAndTSNEShowTheBar() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { throw XCTSkip("util-linux script is not installed") }
        let dir = makeTempDir()
        // 2,000 random points: a t-SNE of a few seconds.
        var rng = SeededRandom(seed: 1)
        let n = 2000, dim = 10
        try Npy.write(Tensor(shape: [n, dim], values: (0..<(n * dim)).map { _ in Float(rng.normal()) }), path: dir + "/x.npy")
        let viz = try builtExecutable("re4-viz")
        func onTerminal(_ cmd: String) throws -> String {
            let r = try runExecutable("/usr/bin/script", ["-qefc", cmd, dir + "/typescript"], environment: ["COLUMNS": "100", "TERM": "xterm"])
            XCTAssertEqual(r.status, 0, r.out + r.err)
            return r.out
        }
        let t = try onTerminal("\(viz) tsne --points \(dir)/x.npy --out \(dir)/y.npy --iterations 400 --threads 1")
        XCTAssertTrue(t.contains("t-SNE of 2000 points ["), t.suffix(400).description)
        XCTAssertTrue(t.contains(", ETA "), "an ETA while it runs")
        XCTAssertTrue(t.contains("\r"), "redrawn in place")
        XCTAssertTrue(t.contains("\u{1B}[Kembedded 2000"), "cleared before the result: \(t.suffix(200))")
        // Training: the epoch bar, then the evaluation line, each cleared before the epoch line.
        let csv = dir + "/tiny.csv"
        var rows = "user,item,timestamp\n"
        for u in 0..<400 { for t in 0..<30 { rows += "u\(u),i\((u * 7 + t * 3) % 200),\(t)\n" } }
        write(rows, csv)
        let re4 = try builtExecutable("re4")
        let tr = try onTerminal("\(re4) train --data \(csv) --epochs 1 --batch-size 8 --samples-per-epoch 4000 --dim 16 --hidden 16 --threads 1 --out \(dir)/run")
        XCTAssertTrue(tr.contains("epoch 1 ["), tr.suffix(400).description)
        XCTAssertTrue(tr.contains("ex/s  loss"), "speed and loss in the bar")
        XCTAssertTrue(tr.contains(", ETA "))
        XCTAssertTrue(tr.contains("\u{1B}[Kepoch   1 "), "the epoch line starts on a cleared line: \(tr.suffix(300))")
    }
}
