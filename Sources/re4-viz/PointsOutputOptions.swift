import ArgumentParser

/// What `re4-viz embed` (and the older `tsne --points`) writes besides the map:
/// new points placed into it, and the input neighbour graph.
struct PointsOutputOptions: ParsableArguments {
    @Option(help: "Place these new points (.npy or .csv, same columns) into the finished embedding.") var place: String?
    @Option(help: "With --place: where the placed points' coordinates go (.npy or .csv).") var placedOut: String?
    @Option(help: "Write the input neighbour graph (N × k int32 row indices, nearest first) to this .npy.") var neighborsOut: String?

    func validate() throws {
        guard (place == nil) == (placedOut == nil) else { throw ValidationError("--place and --placed-out go together") }
    }
}
