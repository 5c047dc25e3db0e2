// re4-fuzz: the readers' fuzz entries (Re4Core's FuzzEntries).
//
// Built by `make fuzz` with `swift build --sanitize=fuzzer -Xswiftc -DLIBFUZZER`:
// libFuzzer's own main drives LLVMFuzzerTestOneInput below, on the entry named
// by $RE4_FUZZ_TARGET, with libFuzzer's arguments (corpus folders, -max_total_time=…).
// Built normally (every `swift build`), it replays corpus files and seeded
// mutations of them:
//     re4-fuzz TARGET [replay] [--mutations N] [--seed S] PATH…
import Foundation
import Re4Core

#if LIBFUZZER
nonisolated(unsafe) let fuzzTarget: String = {
    let t = ProcessInfo.processInfo.environment["RE4_FUZZ_TARGET"] ?? ""
    guard FuzzEntries.names.contains(t) else {
        FileHandle.standardError.write(Data("re4-fuzz: set RE4_FUZZ_TARGET to one of \(FuzzEntries.names.joined(separator: ", "))\n".utf8))
        exit(2)
    }
    return t
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    FuzzEntries.run(fuzzTarget, count == 0 ? Data() : Data(bytes: start!, count: count))
    return 0
}
#else
@main
struct Re4Fuzz {
    static func usage() -> Never {
        FileHandle.standardError.write(Data("usage: re4-fuzz {\(FuzzEntries.names.joined(separator: "|"))} [replay] [--mutations N] [--seed S] PATH…\n".utf8))
        exit(2)
    }

    static func main() {
        let args = CommandLine.arguments
        guard args.count >= 2, FuzzEntries.names.contains(args[1]) else { usage() }
        let target = args[1]
        var paths: [String] = [], mutations = 0, seed: UInt64 = 1
        var i = 2
        if i < args.count && args[i] == "replay" { i += 1 }
        while i < args.count {
            switch args[i] {
            case "--mutations": guard i + 1 < args.count, let n = Int(args[i + 1]), n >= 0 else { usage() }; mutations = n; i += 2
            case "--seed": guard i + 1 < args.count, let s = UInt64(args[i + 1]) else { usage() }; seed = s; i += 2
            default: paths.append(args[i]); i += 1
            }
        }
        var inputs: [Data] = []
        for p in paths {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else {
                FileHandle.standardError.write(Data("re4-fuzz: \(p): no such file or folder\n".utf8)); exit(2)
            }
            let files = isDir.boolValue ? ((try? FileManager.default.contentsOfDirectory(atPath: p)) ?? []).sorted().map { p + "/" + $0 } : [p]
            for f in files { if let d = FileManager.default.contents(atPath: f) { inputs.append(d) } }
        }
        var rng = SeededRandom(seed: seed, stream: "fuzz-replay")
        for d in inputs { FuzzEntries.run(target, d) }
        for _ in 0..<mutations where !inputs.isEmpty { FuzzEntries.run(target, FuzzEntries.mutate(inputs[rng.below(inputs.count)], &rng)) }
        print("re4-fuzz \(target): \(inputs.count) corpus inputs and \(mutations) mutations ran without a crash")
    }
}
#endif
