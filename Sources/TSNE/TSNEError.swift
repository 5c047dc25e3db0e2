/// Bad input to the t-SNE, with what to do about it.
import Foundation

public enum TSNEError: LocalizedError, CustomStringConvertible, Equatable {
    case tooFewPoints(Int)
    case nonFinite(row: Int, column: Int)
    case perplexityTooLarge(perplexity: Double, points: Int)
    case badOption(String)

    public var description: String {
        switch self {
        case .tooFewPoints(let n):
            return "t-SNE needs at least 4 points, got \(n)"
        case .nonFinite(let r, let c):
            return "the input has a NaN or infinite value at row \(r + 1), column \(c + 1); remove or fix that row"
        case .perplexityTooLarge(let p, let n):
            let maxP = Double(n - 1) / 3
            return "perplexity \(p) is too large for \(n) points (at most (N-1)/3 = \(String(Int(maxP.rounded(.down))))); lower --perplexity"
        case .badOption(let m):
            return m
        }
    }

    public var errorDescription: String? { description }
}
