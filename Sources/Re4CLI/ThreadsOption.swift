import ArgumentParser
import Re4Core

/// `--threads`: 1…`Threads.maximum`, default all cores. Results are
/// repeatable for a fixed count.
public struct ThreadsOption: ParsableArguments {
    @Option(help: "Threads (default: all cores; results repeat for a fixed count).") public var threads: Int?

    public init() {}

    public func validate() throws {
        if let t = threads, !(1...Threads.maximum).contains(t) {
            throw ValidationError("--threads must be between 1 and \(Threads.maximum), got \(t)")
        }
    }

    /// The count to pass to the library.
    public var count: Int { threads ?? Threads.available }
}
