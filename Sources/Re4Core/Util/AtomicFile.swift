import Foundation

/// Writes a file so that readers see either the old content or the complete new
/// content, never a half-written file: the bytes go to a temporary file in the
/// same folder, are flushed, and the temporary file is renamed over the target
/// (rename(2) is atomic within one file system).
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw IOError.missingFolder(path: path, folder: dir)
        }
        try OutputPaths.checkName(path)
        let tmp = temporary(for: path)
        guard FileManager.default.createFile(atPath: tmp, contents: nil) else {
            throw IOError.unwritable(path: path, reason: IOError.cause(errno) + " (creating a temporary file in \(dir))")
        }
        do {
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: tmp))
            do {
                try h.write(contentsOf: data)
                try h.synchronize()
            } catch {
                try? h.close(); throw error
            }
            try h.close()
            guard rename(tmp, path) == 0 else {
                throw IOError.unwritable(path: path, reason: IOError.cause(errno))
            }
            // The rename itself is made durable by flushing the folder.
            let dfd = open(dir, O_RDONLY | O_DIRECTORY)
            if dfd >= 0 { _ = fsync(dfd); close(dfd) }
        } catch let e as IOError {
            unlink(tmp); throw e
        } catch {
            unlink(tmp)
            throw IOError.unwritable(path: path, reason: IOError.cause(of: error))
        }
    }

    /// The temporary name for `path`: hidden, beside it, owned by this process;
    /// shortened (a hash of the name) when the plain form would pass the file
    /// system's 255-byte name limit, so any legal name can be written.
    public static func temporary(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        let plain = "." + url.lastPathComponent + ".tmp-\(getpid())"
        if plain.utf8.count <= 255 { return dir + "/" + plain }
        return dir + "/.tmp-" + String(Digest.sha256Hex(Data(url.lastPathComponent.utf8)).prefix(16)) + "-\(getpid())"
    }

    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }
}

/// File-system errors with the path and what to do.
public enum IOError: LocalizedError, Equatable {
    /// The cause of a failed call, in words (from `errno`).
    public static func cause(_ code: Int32) -> String {
        switch code {
        case EACCES, EPERM: return "permission denied"
        case EEXIST: return "it exists already"
        case ENOSPC, EDQUOT: return "no space left on the device"
        case ENAMETOOLONG: return "the name is too long for the file system"
        case EROFS: return "the file system is read-only"
        case ENOENT: return "no such file or folder"
        case ENOTDIR: return "a part of the path is a file, not a folder"
        case EISDIR: return "it is a folder"
        case EBUSY, ETXTBSY: return "it is in use"
        case EIO: return "an input/output error (a failing disk?)"
        default: return String(cString: strerror(code))
        }
    }

    /// The cause of a Foundation error in words, not a dump of its domain and user info.
    public static func cause(of error: Error) -> String {
        if let e = error as? IOError { return e.errorDescription ?? "\(e)" }
        let ns = error as NSError
        if let u = ns.userInfo[NSUnderlyingErrorKey] as? NSError, u.domain == NSPOSIXErrorDomain { return cause(Int32(u.code)) }
        if ns.domain == NSPOSIXErrorDomain { return cause(Int32(ns.code)) }
        if ns.domain == NSCocoaErrorDomain {
            switch ns.code {
            case NSFileWriteNoPermissionError, NSFileReadNoPermissionError: return "permission denied"
            case NSFileWriteOutOfSpaceError: return "no space left on the device"
            case NSFileWriteVolumeReadOnlyError: return "the file system is read-only"
            case NSFileWriteFileExistsError: return "it exists already"
            case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return "no such file or folder"
            case NSFileWriteInvalidFileNameError, NSFileReadInvalidFileNameError: return "the name is not valid here (too long?)"
            default: break
            }
        }
        return "error \(ns.code) (\(ns.domain))"
    }

    case missingFolder(path: String, folder: String)
    case unwritable(path: String, reason: String)
    case unreadable(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .missingFolder(let p, let f):
            return "cannot write \(p): folder \(f) does not exist; create it first"
        case .unwritable(let p, let r):
            let reason = r.hasSuffix(".") ? String(r.dropLast()) : r
            // A reason that already says what to do (after a ";") gets no generic advice.
            return "cannot write \(p): \(reason)" + (reason.contains(";") ? "" : "; check the path and free space")
        case .unreadable(let p, let r):
            return "cannot read \(p): \(r); check the path"
        }
    }
}

/// Reads a whole file, turning Foundation's error into one clear line.
public func readFile(_ path: String) throws -> Data {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
        throw IOError.unreadable(path: path, reason: "no such file")
    }
    if isDir.boolValue { throw IOError.unreadable(path: path, reason: "it is a folder, not a file") }
    // An empty regular file is answered here: Foundation on Linux leaks a 4 KiB
    // buffer for every empty file it reads (found by the files fuzzer).
    if let a = try? FileManager.default.attributesOfItem(atPath: path),
       a[.type] as? FileAttributeType == .typeRegular, (a[.size] as? NSNumber)?.intValue == 0 {
        return Data()
    }
    guard let d = FileManager.default.contents(atPath: path) else {
        throw IOError.unreadable(path: path, reason: "permission denied or I/O error")
    }
    return d
}

/// Outputs must never replace inputs: each output path is compared with each
/// input path after resolving links (the same file reached by two names is
/// caught too).
public enum OutputPaths {
    /// A path the file system can hold: no name over 255 bytes, at most 4,095 bytes in all.
    public static func checkName(_ path: String) throws {
        if path.utf8.count > 4095 { throw IOError.unwritable(path: String(path.prefix(60)) + "…", reason: "the path is \(path.utf8.count) bytes, over the 4,095 the system allows") }
        if let long = path.split(separator: "/").first(where: { $0.utf8.count > 255 }) {
            throw IOError.unwritable(path: path, reason: "the name '\(long.prefix(24))…' is \(long.utf8.count) bytes, over the 255 a file name may have")
        }
    }

    /// Each output's folder must exist (checked before any work is done).
    public static func checkFolders(_ outputs: [String]) throws {
        for o in outputs {
            try checkName(o)
            let dir = URL(fileURLWithPath: o).deletingLastPathComponent().path
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
                throw IOError.missingFolder(path: o, folder: dir)
            }
        }
    }

    /// Files inside an input folder that an output must not replace: data and
    /// model files (a data set's tables, a run's config, logs and checkpoints, a
    /// bundle's arrays), not pictures or pages written there before.
    public static let protectedExtensions: Set<String> = ["csv", "tsv", "txt", "dat", "inter", "item", "user", "json", "jsonl",
                                                          "safetensors", "npy", "npz", "pt", "pth", "zip", "md", "pbtxt"]

    /// Outputs must not be inputs (the same file by any name), nor a data or model
    /// file inside an input folder (a data folder, a run folder, a bundle).
    public static func checkDistinct(outputs: [String], inputs: [String]) throws {
        func key(_ p: String) -> String {
            var st = stat()
            if stat(p, &st) == 0 { return "\(st.st_dev):\(st.st_ino)" }
            return URL(fileURLWithPath: p).standardizedFileURL.resolvingSymlinksInPath().path
        }
        var expanded: [(String, String)] = []   // (file, what to name)
        for i in inputs {
            expanded.append((i, i))
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: i, isDirectory: &isDir), isDir.boolValue,
                  let names = try? FileManager.default.contentsOfDirectory(atPath: i) else { continue }
            for n in names where protectedExtensions.contains(URL(fileURLWithPath: n).pathExtension.lowercased()) {
                expanded.append((i + "/" + n, i + "/" + n + " (a file of the input folder \(i))"))
            }
        }
        let ins = Dictionary(expanded.map { (key($0.0), $0.1) }, uniquingKeysWith: { a, _ in a })
        for o in outputs {
            if let i = ins[key(o)] {
                throw IOError.unwritable(path: o, reason: "it is the input \(i); the output would destroy it, so choose another output path")
            }
        }
    }
}
