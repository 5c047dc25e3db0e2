import ArgumentParser

/// ArgumentParser keeps the last value of an option given twice and says
/// nothing: `distinct --interests A.npy --interests B.npy` measured B alone.
/// This finds, before any work, every single-valued option or flag of a parsed
/// command that the command line names more than once.
public enum RepeatedOptions {
    /// The long names (`--item-embeddings`) of a parsed command's single-valued
    /// options and flags, found by reflection over its property wrappers and
    /// option groups (names derived as ArgumentParser does: camelCase → kebab-case).
    public static func singleValued(in value: Any) -> Set<String> {
        var out = Set<String>()
        for w in wrappers(in: value) where w.type.hasPrefix("Option<") || w.type.hasPrefix("Flag<") {
            if w.type.hasPrefix("Option<Array<") || w.type.hasPrefix("Flag<Int") || w.type.hasPrefix("Flag<Array<") { continue }
            out.insert(w.name)
        }
        return out
    }

    /// Every option and flag wrapper of a parsed command, its option groups' included:
    /// the long name ArgumentParser derives (camelCase → kebab-case), the wrapper's type
    /// name, and the wrapper itself.
    static func wrappers(in value: Any) -> [(name: String, type: String, wrapper: Any)] {
        var out: [(String, String, Any)] = []
        for child in Mirror(reflecting: value).children {
            guard let label = child.label, label.hasPrefix("_") else { continue }
            let type = String(describing: Swift.type(of: child.value))
            if type.hasPrefix("OptionGroup<") {
                if let inner = Mirror(reflecting: child.value).descendant("_parsedValue") ?? Mirror(reflecting: child.value).children.first?.value {
                    out += wrappers(in: unwrap(inner))
                }
                continue
            }
            out.append(("--" + kebab(String(label.dropFirst())), type, child.value))
        }
        return out
    }

    /// The first single-valued option given more than once in `arguments`
    /// (`--name value` and `--name=value` alike), with its values, if any.
    public static func firstRepeat(_ arguments: [String], singleValued names: Set<String>) -> (name: String, values: [String])? {
        var seen: [String: [String]] = [:]
        var order: [String] = []
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if a == "--" { break }
            if a.hasPrefix("--") {
                let parts = a.split(separator: "=", maxSplits: 1).map(String.init)
                let name = parts[0]
                if names.contains(name) {
                    let v = parts.count > 1 ? parts[1] : (i + 1 < arguments.count && !arguments[i + 1].hasPrefix("--") ? arguments[i + 1] : "")
                    if seen[name] == nil { order.append(name) }
                    seen[name, default: []].append(v)
                }
            }
            i += 1
        }
        for n in order where seen[n]!.count > 1 { return (n, seen[n]!) }
        return nil
    }

    static func kebab(_ s: String) -> String {
        var out = ""
        for c in s {
            if c.isUppercase { if !out.isEmpty { out.append("-") }; out.append(Character(c.lowercased())) } else { out.append(c) }
        }
        return out
    }

    /// An option group's stored value is an Optional inside the wrapper.
    static func unwrap(_ v: Any) -> Any {
        let m = Mirror(reflecting: v)
        if m.displayStyle == .optional, let first = m.children.first { return unwrap(first.value) }
        if m.displayStyle == .enum, let first = m.children.first { return unwrap(first.value) }
        return v
    }
}
