import Foundation

/// The toolkit's version, and the git commit it was built from when that can
/// be told: the executable is looked up in a `.build` folder inside a git
/// checkout, whose `HEAD` names the commit. Recorded in every run's config.
public enum Toolkit {
    public static let version = "0.3.0"

    /// The commit of the checkout that holds the running executable, if any.
    public static let commit: String? = {
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<8 {
            let git = dir.appendingPathComponent(".git").path
            if FileManager.default.fileExists(atPath: git + "/HEAD") { return resolveHead(git) }
            if dir.path == "/" { break }
            dir.deleteLastPathComponent()
        }
        return nil
    }()

    /// Reads `HEAD` and follows one symbolic ref (loose or packed).
    static func resolveHead(_ git: String) -> String? {
        guard let head = try? String(contentsOfFile: git + "/HEAD", encoding: .utf8) else { return nil }
        let h = head.trimmingCharacters(in: .whitespacesAndNewlines)
        guard h.hasPrefix("ref: ") else { return isCommit(h) ? h : nil }
        let ref = String(h.dropFirst(5))
        if let loose = try? String(contentsOfFile: git + "/" + ref, encoding: .utf8) {
            let c = loose.trimmingCharacters(in: .whitespacesAndNewlines)
            return isCommit(c) ? c : nil
        }
        guard let packed = try? String(contentsOfFile: git + "/packed-refs", encoding: .utf8) else { return nil }
        for line in packed.split(separator: "\n") where line.hasSuffix(" " + ref) {
            let c = String(line.prefix(40))
            return isCommit(c) ? c : nil
        }
        return nil
    }

    static func isCommit(_ s: String) -> Bool { s.count == 40 && s.allSatisfy(\.isHexDigit) }
}
