// libFuzzer entry point for the file readers that take a path: the per-epoch log
// (JSONL and CSV), MovieLens movies.csv and RecBole .item side files, and
// ComiRec's pre-split part files. Each input is written to a file in a private
// folder (on /dev/shm when it exists) and read back by every reader.
// Built and run by `make fuzz` (see fuzz/README.md).
import Foundation

nonisolated(unsafe) let folder: String = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let d = base + "/re4-fuzz-files-\(getpid())"
    try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    for name in ["log.jsonl", "log.csv", "movies.csv", "x.item"] {
        let p = folder + "/" + name
        FileManager.default.createFile(atPath: p, contents: data)
        switch name {
        case "movies.csv": _ = try? ItemSideInfo.readMovieLensMovies(path: p)
        case "x.item": _ = try? ItemSideInfo.readRecBoleItems(path: p)
        default: _ = try? EpochLog.read(path: p)
        }
    }
    // ComiRec: the input split at its first two 0xff bytes gives train / valid / test.
    let parts = data.split(separator: 0xff, maxSplits: 2, omittingEmptySubsequences: false)
    for (i, part) in ["train", "valid", "test"].enumerated() {
        FileManager.default.createFile(atPath: folder + "/c_\(part).txt", contents: i < parts.count ? Data(parts[i]) : Data())
    }
    _ = try? ComiRecFiles.read(prefix: folder + "/c")
    return 0
}
