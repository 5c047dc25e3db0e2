import Foundation

/// Problems with an input data file. Each message names the file (and line
/// where there is one), what was wrong, and what to do.
public enum DataError: LocalizedError, Equatable {
    case empty(file: String)
    case missingColumn(file: String, line: Int, column: String, found: Int)
    case badNumber(file: String, line: Int, column: String, value: String)
    case badItemID(file: String, line: Int, value: String, reason: String)
    case unknownDataset(name: String, known: [String])
    case noUsableUsers(file: String)
    case hashMismatch(file: String, expected: String, actual: String)
    case fetchFailed(name: String, reason: String)
    case missingFile(path: String, hint: String)
    case badOption(String)
    case userInTwoSplits(user: String, first: String, second: String, line: Int)

    public var errorDescription: String? {
        switch self {
        case .empty(let f):
            return "\(f): the file has no data rows; give a file with at least one interaction"
        case .missingColumn(let f, let l, let c, let n):
            return "\(f):\(l): column '\(c)' is missing (the row has \(n) field\(n == 1 ? "" : "s")); check the delimiter and --columns"
        case .badNumber(let f, let l, let c, let v):
            return "\(f):\(l): \(c) '\(v.prefix(40))' is not a number; fix the row or choose the right column"
        case .badItemID(let f, let l, let v, let r):
            return "\(f):\(l): item id '\(v.prefix(40))' \(r)"
        case .unknownDataset(let n, let k):
            return "unknown data set '\(n)'; use a path or one of: \(k.joined(separator: ", "))"
        case .noUsableUsers(let f):
            return "\(f): no user has two or more interactions, so there is nothing to train or evaluate on"
        case .hashMismatch(let f, let e, let a):
            return "\(f): SHA-256 is \(a.prefix(16))…, expected \(e.prefix(16))…; the download is corrupt or a different version, delete it and fetch again"
        case .fetchFailed(let n, let r):
            return "fetching \(n) failed: \(r)"
        case .missingFile(let p, let h):
            return "\(p): no such file; \(h)"
        case .badOption(let m):
            return m
        case .userInTwoSplits(let u, let a, let b, let l):
            return "\(b):\(l): user '\(u.prefix(40))' is also in \(a); a user belongs to one split, so remove the user from one of the files"
        }
    }
}
