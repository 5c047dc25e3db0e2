import Foundation

/// The readers that take untrusted bytes, each as one entry point for fuzzing
/// (`re4-fuzz`, fuzz/README.md). They live in the library so they are compiled
/// with it on every build and cannot fall behind the readers they call.
public enum FuzzEntries {
    public static let names = ["binary", "text", "files", "pickle"]

    /// Runs the entry `name` on `data`; unknown names are false.
    @discardableResult
    public static func run(_ name: String, _ data: Data) -> Bool {
        switch name {
        case "binary": binary(data)
        case "text": text(data)
        case "files": files(data)
        case "pickle": pickle(data)
        default: return false
        }
        return true
    }

    /// safetensors, .npy and TensorBoard event files on the same bytes.
    public static func binary(_ data: Data) {
        _ = try? SafeTensors.parse(data, source: "fuzz")
        _ = try? Npy.parse(data, source: "fuzz")
        _ = try? TensorBoardEvents.parse(data, source: "fuzz")
    }

    /// The interaction file parser with each built-in spec.
    public static func text(_ data: Data) {
        for spec in [InteractionFileSpec.genericCSV, .movieLensCSV, .movieLensDat, .recBoleInter] {
            _ = try? InteractionLog.parse(data, source: "fuzz", spec: spec)
        }
    }

    /// The restricted unpickler of PyTorch state dicts.
    public static func pickle(_ data: Data) {
        var u = Unpickler([UInt8](data), source: "fuzz")
        _ = try? u.load()
    }

    static let folder: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let d = base + "/re4-fuzz-files-\(getpid())"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    /// The readers that take a path: per-epoch logs (JSONL, CSV), MovieLens
    /// movies.csv, RecBole .item, ComiRec's part files (the input split at its
    /// first two 0xff bytes), each written to a private folder and read back.
    public static func files(_ data: Data) {
        for name in ["log.jsonl", "log.csv", "movies.csv", "x.item"] {
            let p = folder + "/" + name
            _ = FileManager.default.createFile(atPath: p, contents: data)
            switch name {
            case "movies.csv": _ = try? ItemSideInfo.readMovieLensMovies(path: p)
            case "x.item": _ = try? ItemSideInfo.readRecBoleItems(path: p)
            default: _ = try? EpochLog.read(path: p)
            }
        }
        let parts = data.split(separator: 0xff, maxSplits: 2, omittingEmptySubsequences: false)
        for (i, part) in ["train", "valid", "test"].enumerated() {
            _ = FileManager.default.createFile(atPath: folder + "/c_\(part).txt", contents: i < parts.count ? Data(parts[i]) : Data())
        }
        _ = try? ComiRecFiles.read(prefix: folder + "/c")
    }

    /// A seeded mutation of `data` (bit flips, byte changes, cuts, repeats), for
    /// a brief random run where libFuzzer is not built.
    public static func mutate(_ data: Data, _ rng: inout SeededRandom) -> Data {
        var b = [UInt8](data)
        if b.isEmpty { b = [UInt8(rng.below(256))] }
        for _ in 0..<(1 + rng.below(4)) {
            switch rng.below(5) {
            case 0: let i = rng.below(b.count); b[i] ^= UInt8(1 << rng.below(8))
            case 1: b[rng.below(b.count)] = [0, 0xff, 0x7f, 0x80, 0x22, 0x2c, 0x0a][rng.below(7)]
            case 2: b = Array(b.prefix(rng.below(b.count) + 1))
            case 3: let i = rng.below(b.count), n = min(b.count - i, 1 + rng.below(16)); b.insert(contentsOf: b[i..<(i + n)], at: i)
            default: b.insert(UInt8(rng.below(256)), at: rng.below(b.count + 1))
            }
        }
        return Data(b)
    }
}
