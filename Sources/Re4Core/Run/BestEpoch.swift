/// The model-selection rule, in one place: the epoch with the highest
/// validation Recall@50, the earliest on ties (docs/protocol.md). The trainer
/// uses it to keep `best.safetensors`; tables and sweeps use it to pick the
/// epoch they report.
public enum BestEpoch {
    /// The validation metric that selects the best epoch.
    public static let metric = "recall@50"
    /// The rule as written into every run's config.
    public static let rule = "best validation recall@50, earliest on ties"

    /// The selection score of an epoch. An epoch without a finite validation
    /// score (data with no validation users) scores 0, so the first such epoch
    /// is kept and the test set never decides.
    public static func score(_ r: EpochRecord) -> Double {
        guard let v = r.valid[metric], v.isFinite else { return 0 }
        return v
    }

    /// Whether `score` beats the best so far (strictly: ties keep the earlier epoch).
    public static func improves(_ score: Double, on best: Double) -> Bool { score > best }

    /// The best epoch among `records` (any order) that have a finite validation
    /// score; nil when none has.
    public static func best(_ records: [EpochRecord]) -> EpochRecord? {
        var best: EpochRecord? = nil
        for r in records.sorted(by: { $0.epoch < $1.epoch }) where r.valid[metric]?.isFinite == true {
            if improves(score(r), on: best.map(score) ?? -.infinity) { best = r }
        }
        return best
    }

    /// The best epoch within the first `budget` epochs (all when nil).
    public static func best(_ records: [EpochRecord], within budget: Int?) -> EpochRecord? {
        guard let budget else { return best(records) }
        return best(records.filter { $0.epoch <= budget })
    }
}
