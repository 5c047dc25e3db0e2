import Foundation

/// The loss of one batch, by component (unscaled), and the weighted total.
public struct LossBreakdown: Sendable, Equatable {
    public var rec = 0.0, att = 0.0, ct = 0.0, cs = 0.0, total = 0.0
    /// REMI's routing regularisation (unweighted, summed over the batch as REMI does); 0 when off.
    public var rr = 0.0
    public init() {}

    /// The first non-finite component's name, if any.
    public var nonFiniteComponent: String? {
        for (n, v) in [("loss_rec", rec), ("loss_att", att), ("loss_ct", ct), ("loss_cs", cs), ("loss_rr", rr)] where !v.isFinite { return n }
        return nil
    }
}
