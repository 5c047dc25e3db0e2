// libFuzzer entry point for the binary readers: safetensors, .npy and TensorBoard event files.
// Built and run by `make fuzz` (see fuzz/README.md).
import Foundation
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    _ = try? SafeTensors.parse(data, source: "fuzz")
    _ = try? Npy.parse(data, source: "fuzz")
    _ = try? TensorBoardEvents.parse(data, source: "fuzz")
    return 0
}
