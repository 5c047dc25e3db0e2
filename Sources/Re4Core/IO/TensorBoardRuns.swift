import Foundation

/// A TensorBoard log directory as TensorBoard reads it: every folder below it
/// that holds event files is a run, named by its path relative to the log
/// directory; a run's files are read in file-name order (TensorBoard's
/// `directory_watcher`), so a resumed run's second file follows its first.
///
/// Within a run: a `SessionLog.START` at step s discards what earlier writes
/// logged at steps ≥ s (TensorBoard's `_CheckForRestartAndMaybePurge`); where a
/// step of a tag is still written twice, the later write is kept (TensorBoard
/// would draw both, the line going back in x) and the run's notes say so.
public enum TensorBoardRuns {
    public struct Run: Sendable, Equatable {
        /// The folder's path relative to the log directory (the log directory's own name for files directly in it).
        public var name: String
        public var files: [String]
    }

    public struct Point: Sendable, Equatable {
        public var step: Int64
        public var wallTime: Double
        public var value: Double
    }

    public struct Merged: Sendable {
        /// Tag → points in step order, one per step.
        public var tags: [String: [Point]]
        /// The tags in first-seen order.
        public var order: [String]
        /// What was done that a reader should know (purges, steps written twice).
        public var notes: [String]
    }

    /// Whether `path` is a directory.
    public static func isDirectory(_ path: String) -> Bool {
        var dir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &dir) && dir.boolValue
    }

    /// The runs under `logDir`, sorted by name. Symbolic links to folders are not followed (no cycles).
    public static func find(logDir: String) throws -> [Run] {
        let root = URL(fileURLWithPath: logDir).standardizedFileURL.path
        guard isDirectory(root) else { throw LogTableError.bad(file: logDir, what: "not a folder") }
        var byFolder: [String: [String]] = [:]
        guard let e = FileManager.default.enumerator(atPath: root) else {
            throw LogTableError.bad(file: logDir, what: "cannot list the folder (permission denied?)")
        }
        while let rel = e.nextObject() as? String {
            let name = (rel as NSString).lastPathComponent
            guard name.contains("tfevents"), !name.hasSuffix(".profile-empty") else { continue }
            let full = root + "/" + rel
            guard !isDirectory(full) else { continue }
            let folder = (rel as NSString).deletingLastPathComponent
            byFolder[folder, default: []].append(full)
        }
        guard !byFolder.isEmpty else {
            throw LogTableError.bad(file: logDir, what: "no TensorBoard event files (events.out.tfevents.*) in this folder or below it")
        }
        let own = URL(fileURLWithPath: root).lastPathComponent
        return byFolder.map { Run(name: $0.key.isEmpty ? own : $0.key, files: $0.value.sorted()) }.sorted { $0.name < $1.name }
    }

    /// Reads and merges one run's files.
    public static func merge(_ run: Run) throws -> Merged {
        var items: [(tag: String, point: Point)] = []
        var notes: [String] = []
        for f in run.files {
            let (scalars, restarts) = try TensorBoardEvents.parseWithRestarts(readFile(f), source: f)
            var next = 0
            func purge(at r: TensorBoardEvents.Restart) {
                let before = items.count
                items.removeAll { $0.point.step >= r.step }
                if items.count < before {
                    notes.append("\(run.name): a restart at step \(r.step) in \((f as NSString).lastPathComponent) discards \(before - items.count) earlier value(s) at steps ≥ \(r.step), as TensorBoard does")
                }
            }
            for (i, s) in scalars.enumerated() {
                while next < restarts.count, restarts[next].before == i { purge(at: restarts[next]); next += 1 }
                items.append((s.tag, Point(step: s.step, wallTime: s.wallTime, value: s.value)))
            }
            while next < restarts.count { purge(at: restarts[next]); next += 1 }
        }
        var tags: [String: [Point]] = [:], order: [String] = []
        var twice: [String: [Int64]] = [:]
        for (tag, p) in items {
            if tags[tag] == nil { order.append(tag); tags[tag] = [] }
            tags[tag]!.append(p)
        }
        for t in order {
            var byStep: [Int64: Point] = [:]
            for p in tags[t]! {
                if byStep[p.step] != nil { twice[t, default: []].append(p.step) }
                byStep[p.step] = p   // the later write wins
            }
            tags[t] = byStep.values.sorted { $0.step < $1.step }
        }
        for t in order { if let steps = twice[t] {
            let u = Array(Set(steps)).sorted()
            notes.append("\(run.name): '\(t)' has \(u.count) step(s) written twice (\(u.first!)…\(u.last!)); the later write is drawn")
        } }
        return Merged(tags: tags, order: order, notes: notes)
    }
}
