import Foundation

/// A command's outputs, published together: each is written whole to a
/// temporary file beside its target, and only when every one has been written
/// are they renamed into place. Before anything is written, every output's
/// folder must exist and no output may be one of the command's inputs.
/// Temporaries not published (an error, a thrown check) are removed.
public final class OutputSet {
    private var staged: [(tmp: String, path: String)] = []
    private var committed = false
    private let inputs: [String]

    /// Checks the outputs known in advance; outputs staged later are checked as they come.
    public init(outputs: [String] = [], inputs: [String]) throws {
        self.inputs = inputs
        try OutputPaths.checkFolders(outputs)
        try OutputPaths.checkDistinct(outputs: outputs, inputs: inputs)
        var seen = Set<String>()
        for o in outputs where !seen.insert(URL(fileURLWithPath: o).standardizedFileURL.path).inserted {
            throw IOError.unwritable(path: o, reason: "it is named twice among the outputs; give each output its own path")
        }
    }

    deinit { if !committed { for s in staged { unlink(s.tmp) } } }

    /// The temporary name for `path`: hidden, beside it, owned by this process.
    public static func temporary(for path: String) -> String { AtomicFile.temporary(for: path) }

    /// Writes one output to its temporary file through `write` (given the temporary path).
    public func stage(_ path: String, _ write: (String) throws -> Void) throws {
        try OutputPaths.checkFolders([path])
        try OutputPaths.checkDistinct(outputs: [path], inputs: inputs)
        guard !staged.contains(where: { $0.path == path }) else {
            throw IOError.unwritable(path: path, reason: "it is named twice among the outputs; give each output its own path")
        }
        let tmp = Self.temporary(for: path)
        staged.append((tmp, path))
        try write(tmp)
    }

    /// Writes one output's bytes to its temporary file, flushed to disk.
    public func stage(_ path: String, data: Data) throws {
        try stage(path) { tmp in
            guard FileManager.default.createFile(atPath: tmp, contents: nil),
                  let h = FileHandle(forWritingAtPath: tmp) else {
                throw IOError.unwritable(path: path, reason: IOError.cause(errno) + " (creating a temporary file beside it)")
            }
            defer { try? h.close() }
            do { try h.write(contentsOf: data); try h.synchronize() } catch {
                throw IOError.unwritable(path: path, reason: IOError.cause(of: error))
            }
        }
    }

    /// Renames every staged output into place.
    public func commit() throws {
        for s in staged {
            guard rename(s.tmp, s.path) == 0 else { throw IOError.unwritable(path: s.path, reason: IOError.cause(errno)) }
        }
        committed = true
    }
}
