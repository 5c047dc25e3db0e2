import Foundation

/// Where the interaction-file reader reports how far it has read, for the
/// whole of a command: set once by the executable around its job (as
/// `TSNEProgressSink` is), so the libraries between the command and the reader
/// need not pass a callback along. Reports come after each 8 MB chunk, and
/// once more at the end with `bytes == total`.
public enum ReadProgress {
    public typealias Sink = @Sendable (_ path: String, _ bytes: Int, _ total: Int) -> Void
    nonisolated(unsafe) private static var sink: Sink? = nil
    private static let lock = NSLock()

    static func report(path: String, bytes: Int, of total: Int) {
        lock.lock(); let s = sink; lock.unlock()
        s?(path, bytes, total)
    }

    /// Runs `body` with `s` receiving the reports, restoring the previous sink after.
    public static func with<T>(_ s: @escaping Sink, _ body: () throws -> T) rethrows -> T {
        lock.lock(); let previous = sink; sink = s; lock.unlock()
        defer { lock.lock(); sink = previous; lock.unlock() }
        return try body()
    }
}
