import Re4Core
import TSNE
import Plot

/// Analysis built on the trainer core, the t-SNE and the plotting layer:
/// projections of interests, epoch curves and distinctness statistics.
/// (Work in progress: see the issues for `re4-viz tsne`, `curves`, `distinct`.)
public enum Re4VizModule {
    public static let version = "0.1.0"
}
