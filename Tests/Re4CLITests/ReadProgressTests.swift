import Foundation
import XCTest
import TestSupport
@testable import Re4CLI
@testable import Re4Core

/// Reading an interaction file reports its progress (ReadProgress), drawn as a
/// bar in megabytes on a terminal and cleared when the file is read.
final class ReadProgressTests: XCTestCase {
    final class Recorder: @unchecked Sendable { var out: [String] = []; var now = 0.0 }

    func testReadingAFileShowsABarInMegabytesThenClears() throws {
        let dir = makeTempDir()
        var rows = "user,item,timestamp\n"
        for r in 0..<200_000 { rows += "user\(r % 5000),item\(r % 3000),\(1_000_000 + r)\n" }
        write(rows, dir + "/log.csv")
        let size = rows.utf8.count
        let r = Recorder()
        // Each report moves the clock by 0.4 s, so the line (quiet for the first second) draws.
        let bars = ReadBars { label in
            ProgressLine(label, tty: true, width: 100, clock: { r.now += 0.4; return r.now }, write: { r.out.append($0) })
        }
        let lines = LineLog()
        let log = try ReadProgress.with({ path, bytes, total in
            XCTAssertEqual(path, dir + "/log.csv")
            lines.append("\(bytes) \(total)"); bars.report(path: path, bytes: bytes, total: total)
        }) { try InteractionLog.read(path: dir + "/log.csv", spec: .genericCSV, chunkSize: 256 << 10) }
        let reports = lines.lines.map { l -> (Int, Int) in let f = l.split(separator: " ").map { Int($0)! }; return (f[0], f[1]) }
        XCTAssertEqual(log.count, 200_000)
        XCTAssertGreaterThan(reports.count, 5, "a report per chunk")
        XCTAssertEqual(reports.map(\.1), [Int](repeating: size, count: reports.count), "the file's size as the total")
        XCTAssertEqual(reports.map(\.0), reports.map(\.0).sorted(), "bytes only grow")
        XCTAssertEqual(reports.last?.0, size, "the last report is the whole file")
        let text = r.out.joined()
        XCTAssertTrue(text.contains("reading log.csv ["), text)
        XCTAssertTrue(text.contains("MB"), text)
        XCTAssertTrue(r.out.last!.hasPrefix("\r\u{1B}[K"), "cleared at the end")
        // Without a sink nothing is reported and nothing breaks.
        XCTAssertEqual(try InteractionLog.read(path: dir + "/log.csv", spec: .genericCSV, chunkSize: 256 << 10).count, 200_000)
    }
}
