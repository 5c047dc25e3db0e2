// libFuzzer entry point for the restricted unpickler of PyTorch state dicts.
// Built and run by `make fuzz` (see fuzz/README.md).
import Foundation
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    var u = Unpickler(Array(UnsafeRawBufferPointer(start: start, count: count)), source: "fuzz")
    _ = try? u.load()
    return 0
}
