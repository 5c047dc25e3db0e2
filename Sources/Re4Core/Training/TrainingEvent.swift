import Foundation

/// What the trainer reports while it runs.
public enum TrainingEvent: Sendable {
    case batch(epoch: Int, batch: Int, of: Int, examplesPerSecond: Double, loss: Double)
    /// Evaluation after the epoch's training: `done` of `of` valid and test users ranked.
    case evaluating(epoch: Int, done: Int, of: Int)
    case epoch(EpochRecord, isBest: Bool)
}

/// Set from a signal handler (SIGINT/SIGTERM): training stops after the
/// current batch, keeping the files of the last completed epoch.
public enum StopRequest {
    nonisolated(unsafe) public static var requested = false
}

public enum TrainingError: LocalizedError, Equatable {
    case nonFinite(component: String, epoch: Int, batch: Int, lastGood: String)
    case noTrainingExamples(data: String)
    case badOption(String)
    case interrupted(completedEpoch: Int, folder: String)
    case noSpace(folder: String, needed: UInt64, free: UInt64)

    public var errorDescription: String? {
        switch self {
        case .interrupted(let e, let f):
            return e > 0
                ? "interrupted; epoch \(e) is the last completed one and is saved in \(f). Continue with the same command plus --resume"
                : "interrupted during the first epoch; nothing was saved yet"
        case .nonFinite(let c, let e, let b, let g):
            return "\(c) became NaN or infinite at epoch \(e), batch \(b); training stopped, the last good checkpoint is \(g). Try a lower --lr"
        case .noTrainingExamples(let d):
            return "\(d): no training user has two or more interactions; nothing to train on"
        case .badOption(let m):
            return m
        case .noSpace(let f, let n, let free):
            return String(format: "not enough free space in %@: one epoch's checkpoints need about %.1f MB, %.1f MB are free; free some space or choose another --out",
                          f, Double(n) / 1e6, Double(free) / 1e6)
        }
    }
}
