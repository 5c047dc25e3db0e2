import Foundation
import XCTest
import TestSupport
@testable import Re4Core

final class DataReaderTests: XCTestCase {
    func rows(_ text: String, _ delim: String = ",", quotes: Bool = true) -> [[String]] {
        var out: [[String]] = []
        Data(text.utf8).withUnsafeBytes { raw in
            DelimitedText(delimiter: delim, quotes: quotes).forEachRow(in: raw) { _, f in out.append(f.map(String.init)) }
        }
        return out
    }

    func testDelimitedTextQuotesCRLFAndMultiByteDelimiter() {
        XCTAssertEqual(rows("a,b,c\r\n1,\"x, y\",3\n\n4,\"say \"\"hi\"\"\",\n"),
                       [["a", "b", "c"], ["1", "x, y", "3"], ["4", "say \"hi\"", ""]])
        XCTAssertEqual(rows("1::31::2.5::1260759144\n2::7::4::1", "::", quotes: false),
                       [["1", "31", "2.5", "1260759144"], ["2", "7", "4", "1"]])
        XCTAssertEqual(rows("u\tThe \"Film\"\t3\n", "\t", quotes: false), [["u", "The \"Film\"", "3"]])
    }

    func testGenericCSVWithAndWithoutHeader() throws {
        let a = try InteractionLog.parse(Data("user,item,ts\nu1,i1,10\nu2,i2,5\n".utf8), source: "a.csv", spec: .genericCSV)
        XCTAssertEqual(a.users, ["u1", "u2"]); XCTAssertEqual(a.items, ["i1", "i2"]); XCTAssertEqual(a.times, [10, 5])
        let b = try InteractionLog.parse(Data("u1,i1,10\nu2,i2,5".utf8), source: "b.csv", spec: .genericCSV)
        XCTAssertEqual(b.count, 2)
        // Column order by option (1-based numbers as the CLI takes them).
        let spec = InteractionFileSpec(user: ColumnRef(parsing: "3"), item: ColumnRef(parsing: "1"), time: ColumnRef(parsing: "2"))
        let c = try InteractionLog.parse(Data("i9,100,u7\n".utf8), source: "c.csv", spec: spec)
        XCTAssertEqual(c.users, ["u7"]); XCTAssertEqual(c.items, ["i9"]); XCTAssertEqual(c.times, [100])
        // By header name.
        let byName = InteractionFileSpec(user: .name("who"), item: .name("what"), time: .name("when"))
        let d = try InteractionLog.parse(Data("when,what,who\n3,x,y\n".utf8), source: "d.csv", spec: byName)
        XCTAssertEqual(d.users, ["y"]); XCTAssertEqual(d.times, [3])
    }

    /// Text as people save it: Excel's "CSV UTF-8" starts with a byte-order mark and
    /// ends lines with CRLF; a header name must still match, and nothing is dropped.
    func testByteOrderMarkAndCRLFAreReadAsExcelWritesThem() throws {
        let bom = "\u{FEFF}"
        let a = try InteractionLog.parse(Data((bom + "user,item,timestamp\r\nu1,i1,10\r\nu2,i2,5\r\n").utf8), source: "excel.csv", spec: .genericCSV)
        XCTAssertEqual(a.users, ["u1", "u2"]); XCTAssertEqual(a.times, [10, 5])
        let byName = InteractionFileSpec(user: .name("user"), item: .name("item"), time: .name("timestamp"))
        XCTAssertEqual(try InteractionLog.parse(Data((bom + "user,item,timestamp\r\nu1,i1,10\r\n").utf8), source: "excel.csv", spec: byName).users, ["u1"])
        var rows: [[String]] = []
        Data((bom + "epoch,loss\r\n1,0.5\r\n").utf8).withUnsafeBytes { raw in
            DelimitedText(delimiter: ",", quotes: true).forEachRow(in: raw) { _, f in rows.append(f.map(String.init)) }
        }
        XCTAssertEqual(rows, [["epoch", "loss"], ["1", "0.5"]])
        let dir = makeTempDir()
        write(bom + "epoch,loss\r\n1,0.5\r\n2,0.25\r\n", dir + "/log.csv")
        XCTAssertEqual(try LogTable.read(path: dir + "/log.csv", x: "epoch", y: ["loss"]).series[0].y, [0.5, 0.25])
        write(bom + "{\"epoch\": 1, \"loss\": 0.5}\n", dir + "/log.jsonl")
        XCTAssertEqual(try LogTable.read(path: dir + "/log.jsonl", x: nil, y: ["loss"]).series[0].y, [0.5])
        // A ragged row is refused with its line, not dropped.
        write("epoch,loss,acc\n1,0.5,0.1\n2,0.25\n3,0.2,0.3\n", dir + "/ragged.csv")
        assertThrowsMessage(["ragged.csv", "line 3 has 2 fields but the header has 3"]) { _ = try LogTable.read(path: dir + "/ragged.csv", x: "epoch", y: ["loss"]) }
        // One column named twice for user and item would make the items the users.
        assertThrowsMessage(["--columns '1,1,4' names one column twice"]) { _ = try DataSource(data: dir + "/x.csv", columns: "1,1,4").fileSpec() }
    }

    func testMovieLensAndRecBoleFormats() throws {
        let ml = try InteractionLog.parse(Data("userId,movieId,rating,timestamp\n1,31,2.5,1260759144\n".utf8),
                                          source: "ratings.csv", spec: .movieLensCSV)
        XCTAssertEqual(ml.items, ["31"]); XCTAssertEqual(ml.times, [1260759144])
        let dat = try InteractionLog.parse(Data("1::1193::5::978300760\n".utf8), source: "ratings.dat", spec: .movieLensDat)
        XCTAssertEqual(dat.items, ["1193"]); XCTAssertEqual(dat.times, [978300760])
        let rb = try InteractionLog.parse(
            Data("user_id:token\titem_id:token\trating:float\ttimestamp:float\n1m_1\tOne Flew, Nest (1975)\t5\t978300760\n".utf8),
            source: "x.inter", spec: .recBoleInter)
        XCTAssertEqual(rb.users, ["1m_1"]); XCTAssertEqual(rb.items, ["One Flew, Nest (1975)"])
    }

    func testMalformedInteractionFiles() {
        assertThrowsMessage(["e.csv", "no data rows"]) {
            try InteractionLog.parse(Data("".utf8), source: "e.csv", spec: .genericCSV)
        }
        assertThrowsMessage(["h.csv", "no data rows"]) {
            try InteractionLog.parse(Data("userId,movieId,rating,timestamp\n".utf8), source: "h.csv", spec: .movieLensCSV)
        }
        assertThrowsMessage(["m.csv:2", "column '#3' is missing"]) {
            try InteractionLog.parse(Data("u,i,1\nu,i\n".utf8), source: "m.csv", spec: .genericCSV)
        }
        assertThrowsMessage(["n.csv:3", "timestamp 'yesterday' is not a number"]) {
            try InteractionLog.parse(Data("user,item,t\nu,i,1\nu,j,yesterday\n".utf8), source: "n.csv", spec: .genericCSV)
        }
        assertThrowsMessage(["r.csv:1", "column 'timestamp' is missing"]) {
            try InteractionLog.parse(Data("userId,movieId,rating\n1,2,3\n".utf8), source: "r.csv", spec: .movieLensCSV)
        }
        assertThrowsMessage(["x.inter:1", "item_id"]) {
            try InteractionLog.parse(Data("user_id:token\tmovie:token\ttimestamp:float\n".utf8), source: "x.inter", spec: .recBoleInter)
        }
        assertThrowsMessage(["nan.csv:1", "is not a number"]) {
            try InteractionLog.parse(Data("u,i,nan\n".utf8), source: "nan.csv", spec: InteractionFileSpec(header: .absent))
        }
    }

    func testItemSideFiles() throws {
        let dir = makeTempDir()
        write("movieId,title,genres\n1,\"Toy Story, The (1995)\",Adventure|Animation\n2,X,(no genres listed)\n", dir + "/movies.csv")
        let ml = try ItemSideInfo.readMovieLensMovies(path: dir + "/movies.csv")
        XCTAssertEqual(ml.titles["1"], "Toy Story, The (1995)")
        XCTAssertEqual(ml.categories["1"], ["Adventure", "Animation"])
        XCTAssertEqual(ml.categories["2"], [])
        write("item_id:token\tmovie_title:token\trelease_year:float\tgenre:token\nToy Story (1995)\tToy Story\t1995\tAnimation Children's Comedy\n", dir + "/a.item")
        let rb = try ItemSideInfo.readRecBoleItems(path: dir + "/a.item")
        XCTAssertEqual(rb.categories["Toy Story (1995)"], ["Animation", "Children's", "Comedy"])
        write("movieId,title\n1,X\n", dir + "/bad.csv")
        assertThrowsMessage(["bad.csv:2", "genres"]) { try ItemSideInfo.readMovieLensMovies(path: dir + "/bad.csv") }
        write("", dir + "/empty.item")
        assertThrowsMessage(["empty.item", "no data rows"]) { try ItemSideInfo.readRecBoleItems(path: dir + "/empty.item") }
    }

    func testComiRecPresplitFilesKeepIdsAndOrder() throws {
        let dir = makeTempDir()
        // User 1: out-of-order lines, sorted by `order`; user 2 has one item (skipped).
        write("1,5,2\n1,3,0\n1,9,1\n2,4,0\n", dir + "/toy_train.txt")
        write("3,2,0\n3,7,1\n", dir + "/toy_valid.txt")
        write("4,1,1\n4,6,0\n4,2,2\n", dir + "/toy_test.txt")
        let ds = try ComiRecFiles.read(prefix: dir + "/toy")
        XCTAssertEqual(ds.itemCount, 9, "n = the largest id")
        XCTAssertEqual(ds.userIDs, ["1", "3", "4"])
        XCTAssertEqual(ds.sequences, [[3, 9, 5], [2, 7], [6, 1, 2]], "ids kept, sorted by order")
        XCTAssertEqual(ds.split, [.train, .valid, .test])
        XCTAssertEqual(ds.skippedUsers, 1)
        XCTAssertTrue(ds.presplit)
        // Loading through the catalogue by any of the three file names.
        XCTAssertEqual(try DataCatalog.load(dir + "/toy_valid.txt").sequences, ds.sequences)

        write("1,0,0\n", dir + "/bad_train.txt"); write("1,1,0\n", dir + "/bad_valid.txt"); write("1,1,0\n", dir + "/bad_test.txt")
        assertThrowsMessage(["bad_train.txt:1", "0 is the padding row"]) { try ComiRecFiles.read(prefix: dir + "/bad") }
        write("1,abc,0\n", dir + "/bad_train.txt")
        assertThrowsMessage(["bad_train.txt:1", "not an integer"]) { try ComiRecFiles.read(prefix: dir + "/bad") }
        write("1,2\n", dir + "/bad_train.txt")
        assertThrowsMessage(["bad_train.txt:1", "'order' is missing"]) { try ComiRecFiles.read(prefix: dir + "/bad") }
        try FileManager.default.removeItem(atPath: dir + "/bad_test.txt")
        write("1,2,0\n", dir + "/bad_train.txt")
        assertThrowsMessage(["bad_test.txt", "NAME_train.txt"]) { try ComiRecFiles.read(prefix: dir + "/bad") }
    }

    func testCatalogErrors() {
        assertThrowsMessage(["unknown data set 'ml-20m'", "ml-1m"]) { try DataCatalog.load("ml-20m") }
        assertThrowsMessage(["/no/such/file.csv", "no such file"]) { try DataCatalog.load("/no/such/file.csv") }
        assertThrowsMessage(["unknown data set 'foo'"]) { try DataCatalog.fetch("foo") }
    }
}
