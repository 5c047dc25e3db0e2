import ArgumentParser

/// `Float("nan")` and `Float("inf")` parse, so `--lr nan` or `--marker-size inf`
/// would reach the work and draw or train nothing useful. This finds, before any
/// work, the first number option of a parsed command whose value is not finite,
/// by reflection over its property wrappers and option groups (as
/// `RepeatedOptions` does), so every command is covered without a list.
public enum FiniteOptions {
    /// The long name and value of the first option holding a NaN or an infinity.
    public static func firstNonFinite(in value: Any) -> (name: String, value: Double)? {
        for w in RepeatedOptions.wrappers(in: value) where w.type.hasPrefix("Option<") {
            guard let parsed = Mirror(reflecting: w.wrapper).descendant("_parsedValue") else { continue }
            if let v = numbers(RepeatedOptions.unwrap(parsed)).first(where: { !$0.isFinite }) { return (w.name, v) }
        }
        return nil
    }

    /// The floating-point numbers a parsed value holds (itself, an Optional's payload, an array's elements).
    static func numbers(_ v: Any) -> [Double] {
        switch v {
        case let x as Double: return [x]
        case let x as Float: return [Double(x)]
        case let xs as [Double]: return xs
        case let xs as [Float]: return xs.map(Double.init)
        default:
            let m = Mirror(reflecting: v)
            if m.displayStyle == .optional { return m.children.first.map { numbers($0.value) } ?? [] }
            return []
        }
    }
}
