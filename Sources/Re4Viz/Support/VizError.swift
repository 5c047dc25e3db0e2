import Foundation

/// The analysis layer's one error: bad input, said in one line (what, where, what to do).
public enum VizError: LocalizedError, Equatable {
    case badInput(String)
    public var errorDescription: String? {
        switch self { case .badInput(let m): return m }
    }
}
