// libFuzzer entry point for the text readers: generic CSV, MovieLens CSV/.dat, RecBole .inter.
// Built and run by `make fuzz` (see fuzz/README.md).
import Foundation
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    for spec in [InteractionFileSpec.genericCSV, .movieLensCSV, .movieLensDat, .recBoleInter] {
        _ = try? InteractionLog.parse(data, source: "fuzz", spec: spec)
    }
    return 0
}
