import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on a run folder, held while `re4 train` writes into it:
/// `flock` on `R/.lock`, which records the holder's pid. The kernel releases
/// it when the process ends in any way (exit, crash, SIGKILL), so a lock left
/// by a dead process never blocks; a second process that finds it held
/// refuses with one line naming the holder.
public final class RunLock {
    public static let fileName = ".lock"
    private let fd: Int32
    public let path: String
    /// The pid a previous, no longer running holder left in the file, if any.
    public let staleHolder: Int32?

    /// Creates the folder if needed and takes the lock.
    public init(folder: RunFolder) throws {
        try FileManager.default.createDirectory(atPath: folder.path, withIntermediateDirectories: true)
        path = folder.path + "/" + Self.fileName
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw IOError.unwritable(path: path, reason: IOError.cause(errno)) }
        let previous = Self.readPid(fd)
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw RunError.locked(folder: folder.path, holder: previous)
        }
        staleHolder = previous.flatMap { $0 != getpid() && kill($0, 0) != 0 ? $0 : nil }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, text, text.count, 0)
    }

    deinit { flock(fd, LOCK_UN); close(fd) }

    /// Refuses when another process holds the folder's lock, without creating
    /// or changing anything (so a refused command leaves the folder as it was).
    public static func checkFree(_ folder: RunFolder) throws {
        let path = folder.path + "/" + fileName
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 { throw RunError.locked(folder: folder.path, holder: readPid(fd)) }
        flock(fd, LOCK_UN)
    }

    static func readPid(_ fd: Int32) -> Int32? {
        var buf = [UInt8](repeating: 0, count: 32)
        let n = pread(fd, &buf, buf.count, 0)
        guard n > 0 else { return nil }
        return Int32(String(decoding: buf.prefix(n), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

extension RunFolder {
    /// Temporary files a killed writer left in the folder (`.NAME.tmp-PID`,
    /// see `AtomicFile`). Only call while holding the folder's `RunLock`: then
    /// no other writer can own them.
    public func staleTemporaries() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { $0.hasPrefix(".") && $0.contains(".tmp-") }.sorted().map { path + "/" + $0 }
    }
}
