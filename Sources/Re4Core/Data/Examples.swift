/// Training and evaluation examples (docs/model.md §1).
///
/// A history is the up-to-L items before a cut, **most recent first**, right-padded
/// with 0 (the padding item).

/// One training example: user `user`, predicting `sequences[user][position]`
/// from the items before it.
public struct TrainingExample: Sendable, Equatable {
    public var user: Int32
    public var position: Int32
    public init(user: Int32, position: Int32) { self.user = user; self.position = position }
}

extension Dataset {
    /// Every (training user, position 1...m-1) pair once, in user order; the
    /// trainer shuffles them per epoch.
    public func trainingExamples() -> [TrainingExample] {
        var out: [TrainingExample] = []
        out.reserveCapacity(interactionCount)
        for u in 0..<userCount where split[u] == .train {
            let m = sequences[u].count
            if m < 2 { continue }
            for i in 1..<m { out.append(TrainingExample(user: Int32(u), position: Int32(i))) }
        }
        return out
    }

    /// Writes the history before `cut` (most recent first, padded with 0) into
    /// `out[0..<L]` and returns the true length min(cut, L).
    @inline(__always)
    public func history(user: Int, cut: Int, length L: Int, into out: UnsafeMutablePointer<Int32>) -> Int {
        let s = sequences[user]
        let n = min(cut, L)
        for j in 0..<n { out[j] = s[cut - 1 - j] }
        for j in n..<L { out[j] = 0 }
        return n
    }

    public func history(user: Int, cut: Int, length L: Int) -> [Int32] {
        var h = [Int32](repeating: 0, count: L)
        _ = h.withUnsafeMutableBufferPointer { history(user: user, cut: cut, length: L, into: $0.baseAddress!) }
        return h
    }

    /// The evaluation cut of a user with m items: c = ⌊0.8·m⌋ (at least 1).
    public func evaluationCut(user: Int) -> Int {
        let m = sequences[user].count
        return heldOut ? max(1, (m * 8) / 10) : m
    }

    /// The ground truth of an evaluation user: s[c...].
    public func groundTruth(user: Int) -> ArraySlice<Int32> {
        sequences[user][evaluationCut(user: user)...]
    }
}
