/// Pure-Swift t-SNE (SPEC-tsne): affinities, Barnes–Hut and FFT gradients, and
/// openTSNE's optimisation schedule. Depends on the Swift standard library and
/// Dispatch only. (Work in progress: see issue "Pure-Swift t-SNE".)
public enum TSNEModule {
    public static let version = "0.1.0"
}
