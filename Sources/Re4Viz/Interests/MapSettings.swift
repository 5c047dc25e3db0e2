import Re4Core
import TSNE

/// How interests are put on a picture, shared by Figure 4 (`InterestMap`), the
/// explorer and the views study: the t-SNE's settings, the interest space, how
/// interests are placed onto an item map and the placement's own settings, and
/// an optional seeded sample of the gallery.
///
/// The t-SNE's threads and seed are not settings of the map but of the job: they
/// come from the `AnalysisContext`, in `tsneOptions(_:)` and
/// `placementOptions(_:)`, the one place either is derived.
public struct MapSettings: Sendable {
    /// Perplexity, method, iterations… (its `threads` and `seed` are replaced by the context's).
    public var tsne: TSNEOptions
    public var space: UserInterests.Space = .u
    public var placeBy: InterestProjection.PlaceBy = .embedding
    /// The placement's own settings (its `threads` and `dof` are derived).
    public var placement = PlacementOptions()
    /// Embed a seeded sample of this many items (nil = every item).
    public var sample: Int? = nil

    public init(tsne: TSNEOptions = MapSettings.defaultTSNE) { self.tsne = tsne }

    /// The t-SNE defaults for interests and items: cosine distances.
    public static var defaultTSNE: TSNEOptions { var o = TSNEOptions(); o.metric = .cosine; return o }

    /// The t-SNE options a job runs with: these settings, the context's threads and seed.
    public func tsneOptions(_ c: AnalysisContext) -> TSNEOptions {
        var o = tsne; o.threads = c.threads; o.seed = c.seed
        return o
    }

    /// The placement's options: its settings, the context's threads, and the map's kernel.
    public func placementOptions(_ c: AnalysisContext) -> PlacementOptions {
        var p = placement; p.threads = c.threads; p.dof = tsne.dof
        return p
    }
}
