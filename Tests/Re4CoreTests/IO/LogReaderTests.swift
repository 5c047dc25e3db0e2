import Foundation
import XCTest
import TestSupport
@testable import Re4Core

/// Other tools' logs: a TensorBoard event file torch.utils.tensorboard wrote
/// (Tests/Reference/make_tensorboard_fixture.py), Lightning-style CSVs, JSON lines.
final class LogReaderTests: XCTestCase {
    let events = repositoryRoot + "/Tests/Re4CoreTests/Fixtures/tensorboard/events.out.tfevents.fixture"

    func testCRC32CKnownAnswer() {
        // RFC 3720's check value: CRC-32C of "123456789" is 0xE3069283.
        XCTAssertEqual(TensorBoardEvents.crc32c(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(TensorBoardEvents.crc32c([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
    }

    func testTheEventFileTorchWroteReadsEveryScalar() throws {
        let got = try TensorBoardEvents.read(path: events)
        let want = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: repositoryRoot + "/Tests/Re4CoreTests/Fixtures/tensorboard/expected.json"))) as! [[String: Any]]
        XCTAssertEqual(got.count, want.count, "simple_value and tensor scalars, not the text summary")
        for (g, w) in zip(got, want) {
            XCTAssertEqual(g.tag, w["tag"] as? String)
            XCTAssertEqual(g.step, Int64(w["step"] as! Int))
            XCTAssertEqual(g.value, Double(Float(w["value"] as! Double)), accuracy: 1e-12)
        }
        XCTAssertEqual(got.filter { $0.tag == "tensor_style" }.map(\.value), [1.25, 2.5])
        let (x, s, _) = try LogTable.read(path: events, x: nil, y: ["Loss/train"])
        XCTAssertEqual(x, "step"); XCTAssertEqual(s[0].x, (1...10).map(Double.init))
    }

    func testDamagedEventFilesAreRefused() throws {
        let good = try Data(contentsOf: URL(fileURLWithPath: events))
        let dir = makeTempDir()
        var flipped = good; flipped[40] ^= 0xff
        try flipped.write(to: URL(fileURLWithPath: dir + "/a.tfevents"))
        assertThrowsMessage(["a.tfevents", "CRC-32C does not match"]) { _ = try TensorBoardEvents.read(path: dir + "/a.tfevents") }
        try good.prefix(good.count - 3).write(to: URL(fileURLWithPath: dir + "/b.tfevents"))
        assertThrowsMessage(["ends inside a record"]) { _ = try TensorBoardEvents.read(path: dir + "/b.tfevents") }
        // A header claiming 2^40 bytes (with a correct CRC for that length) is refused before any read.
        var huge = Data(); var n: UInt64 = 1 << 40
        withUnsafeBytes(of: &n) { huge.append(contentsOf: $0) }
        var crc = TensorBoardEvents.masked(TensorBoardEvents.crc32c([UInt8](huge)))
        withUnsafeBytes(of: &crc) { huge.append(contentsOf: $0) }
        try huge.write(to: URL(fileURLWithPath: dir + "/c.tfevents"))
        assertThrowsMessage(["above the"]) { _ = try TensorBoardEvents.read(path: dir + "/c.tfevents") }
        try Data("epoch,loss\n1,2\n".utf8).write(to: URL(fileURLWithPath: dir + "/d.tfevents"))
        assertThrowsMessage(["d.tfevents"]) { _ = try TensorBoardEvents.read(path: dir + "/d.tfevents") }
        assertThrowsMessage(["no scalar tag 'nope'", "Loss/train"]) { _ = try LogTable.read(path: events, x: nil, y: ["nope"]) }
    }

    func testLightningCSVWithEmptyCellsAndTensorBoardsExport() throws {
        let dir = makeTempDir()
        write("epoch,step,train_loss,val_hr10\n0,49,0.9,\n0,99,0.8,\n0,99,,0.12\n1,149,0.7,\n1,199,,0.15\n", dir + "/metrics.csv")
        // train_loss has two rows in epoch 0: against epoch that needs a rule (it kept the last row silently before).
        assertThrowsMessage(["'train_loss' has 3 rows for 2 values of epoch", "--per-epoch"]) {
            _ = try LogTable.read(path: dir + "/metrics.csv", x: nil, y: ["val_hr10", "train_loss"])
        }
        let (x, s, _) = try LogTable.read(path: dir + "/metrics.csv", x: nil, y: ["val_hr10", "train_loss"], perEpoch: .mean)
        XCTAssertEqual(x, "epoch")
        XCTAssertEqual(s[0], LogTable.Series(name: "val_hr10", x: [0, 1], y: [0.12, 0.15]))
        XCTAssertEqual(s[1].x, [0, 1]); XCTAssertEqual(s[1].y[0], 0.85, accuracy: 1e-12); XCTAssertEqual(s[1].y[1], 0.7)
        XCTAssertEqual(try LogTable.read(path: dir + "/metrics.csv", x: "step", y: ["val_hr10"]).series[0].x, [99, 199])
        write("Wall time,Step,Value\n1700000000.5,1,0.25\n1700000001.5,2,0.5\n", dir + "/run-tag-Loss.csv")
        XCTAssertEqual(try LogTable.read(path: dir + "/run-tag-Loss.csv", x: nil, y: ["Value"]).series[0], LogTable.Series(name: "Value", x: [1, 2], y: [0.25, 0.5]))
        assertThrowsMessage(["no column 'hr10'", "val_hr10"]) { _ = try LogTable.read(path: dir + "/metrics.csv", x: nil, y: ["hr10"]) }
        write("epoch,loss\n1,abc\n", dir + "/bad.csv")
        assertThrowsMessage(["bad.csv", "line 2", "'abc' is not a number"]) { _ = try LogTable.read(path: dir + "/bad.csv", x: nil, y: ["loss"]) }
        write("{\"step\": 1, \"acc\": 0.5}\n{\"step\": 2, \"acc\": 0.75, \"note\": \"x\"}\n", dir + "/log.jsonl")
        XCTAssertEqual(try LogTable.read(path: dir + "/log.jsonl", x: nil, y: ["acc"]).series[0].y, [0.5, 0.75])
        write("{\"step\": 1}\nnot json\n", dir + "/broken.jsonl")
        assertThrowsMessage(["broken.jsonl", "line 2"]) { _ = try LogTable.read(path: dir + "/broken.jsonl", x: nil, y: ["step"]) }
    }
}
