import Foundation

/// Errors about run folders: their config, their lock and `--resume`.
public enum RunError: LocalizedError, Equatable {
    case badConfig(path: String, reason: String)
    case resumeChanged(folder: String, changes: [String])
    case holdsRun(folder: String)
    case nothingToResume(folder: String)
    case noLog(folder: String)
    case noData(checkpoint: String)
    case locked(folder: String, holder: Int32?)
    case dataMismatch(checkpoint: String, trained: String, data: String, dataName: String, reasons: [String])
    case badGrid(path: String, line: Int, reason: String)
    case cannotArchive(folder: String, reason: String)
    case holdsRunFiles(folder: String, files: [String], what: String)
    case resumeStateMissing(folder: String, files: [String])
    case resumeFileMissing(folder: String, file: String, why: String)
    case resumeMismatch(file: String, what: String)

    public var errorDescription: String? {
        switch self {
        case .badConfig(let p, let r):
            return "\(p): \(r); fix the file or start a new --out"
        case .resumeChanged(let f, let c):
            return "\(f): cannot resume with other settings: \(c.joined(separator: "; ")); start a new --out or drop the option"
        case .holdsRun(let f):
            return "\(f) already holds a run; pass --resume to continue it, choose another --out, or --replace to start over (the old run is moved to \(f).replaced-N, not deleted)"
        case .holdsRunFiles(let f, let files, let what):
            return "\(f) holds a run (\(files.joined(separator: ", "))\(what.isEmpty ? "" : "; " + what)); pass --resume to continue it, choose another --out, or --replace to start over (the old run is moved to \(f).replaced-N, not deleted)"
        case .resumeStateMissing(let f, let files):
            return "\(f): the resume state last.optim.safetensors is missing, so the run cannot continue exactly (its \(files.joined(separator: ", ")) are kept as they are); train more into another --out, or --replace to start over here (the old run is moved to \(f).replaced-N)"
        case .resumeFileMissing(let f, let file, let why):
            return "\(f)/\(file) is missing; \(why); restore it (nothing was changed), or train into another --out"
        case .resumeMismatch(let file, let what):
            return "\(file) does not belong to the run being resumed: \(what); nothing was changed; restore the run's own file or train into another --out"
        case .noLog(let f):
            return "\(f): no log.jsonl with an epoch in it; give a folder written by re4 train --out"
        case .nothingToResume(let f):
            return "\(f): nothing to resume (no last.optim.safetensors); start without --resume"
        case .locked(let f, let pid):
            let who = pid.map { "process \($0)" } ?? "another process"
            return "\(f) is being trained into by \(who) (it holds \(f)/.lock); wait for it to finish or choose another --out"
        case .noData(let c):
            return "\(c): no run config beside it names its data; give --data (the data set it was trained on)"
        case .cannotArchive(let f, let r):
            return "\(f): cannot archive: \(r)"
        case .badGrid(let p, let l, let r):
            return "\(p), line \(l): \(r); each line is a run folder's name, then its re4 train options"
        case .dataMismatch(let c, let t, let d, let n, let why):
            let detail = why.isEmpty ? "" : " (" + why.joined(separator: "; ") + ")"
            return "\(c): trained on data with fingerprint \(t), but \(n) as opened has \(d)\(detail); pass the training data and its options, or --allow-mismatch"
        }
    }

    /// One line for a `DecodingError`: what was wrong and at which key.
    static func describe(_ error: Error) -> String {
        guard let e = error as? DecodingError else { return error.localizedDescription }
        func path(_ c: DecodingError.Context) -> String {
            c.codingPath.map(\.stringValue).joined(separator: ".")
        }
        switch e {
        case .keyNotFound(let k, let c): return "missing '\((c.codingPath.map(\.stringValue) + [k.stringValue]).joined(separator: "."))'"
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c):
            return "'\(path(c))': \(c.debugDescription)"
        @unknown default: return "\(e)"
        }
    }
}
