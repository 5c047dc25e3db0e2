import ArgumentParser
import Foundation
import Re4Core

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time training steps per objective (Base, each flow, Re4) and the machine's sgemm rate.",
        discussion: """
            Example:
              re4 bench --data ml-1m --steps 20 --threads 2
            """)
    @Option(help: "Data set name or path.") var data: String?
    @Option(help: "Time only full-gallery top-50 retrieval on an `re4 export` folder (items.npy, interests_U.npy).")
    var retrieval: String?
    @Option(help: "Repeats for --retrieval (best is reported).") var repeats: Int = 5
    @OptionGroup var load: DataLoadOptions
    @OptionGroup var model: ModelOptions
    @Option(help: "Batch size.") var batchSize: Int = 1024
    @Option(help: "Negatives per batch.") var negatives: Int = 5000
    @Option(help: "Timed steps per variant.") var steps: Int = 20
    @Option(help: "Threads (default: all cores).") var threads: Int?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        Threads.set(threads ?? Threads.count)
        guard steps >= 1, batchSize >= 1 else { throw TrainingError.badOption("--steps and --batch-size must be ≥ 1") }
        if let dir = retrieval { try timeRetrieval(dir); return }
        guard let data else { throw TrainingError.badOption("give --data (training steps) or --retrieval (an export folder)") }
        let ds = try load.load(data)
        let cfg = try model.config()
        let r = StepBenchmark.run(dataset: ds, base: cfg, batchSize: batchSize, negatives: .uniform(count: negatives), steps: steps)
        let peak = StepBenchmark.sgemmRate(m: 1024, n: 1024, k: 1024)
        let skinny = StepBenchmark.sgemmRate(m: batchSize, n: min(ds.itemCount, negatives), k: cfg.dim)
        if json {
            let parts = r.map { "{\"variant\":\"\($0.name)\",\"seconds_per_step\":\($0.secondsPerStep),\"examples_per_s\":\($0.examplesPerSecond)}" }
            print("{\"threads\":\(Threads.count),\"sgemm_gflops_1024\":\(peak),\"sgemm_gflops_scoring\":\(skinny),\"variants\":[\(parts.joined(separator: ","))]}")
            return
        }
        print("\(ds.name), batch \(batchSize), K = \(cfg.interests), d = \(cfg.dim), L = \(cfg.maxLength), \(Threads.count) threads")
        for x in r { print(x.name.padding(toLength: 18, withPad: " ", startingAt: 0) + String(format: "%8.1f ms/step  %9.0f ex/s", x.secondsPerStep * 1000, x.examplesPerSecond)) }
        print(String(format: "sgemm rate: %.1f GFLOP/s (1024³), %.1f GFLOP/s (%d×%d×%d scoring shape)", peak, skinny, batchSize, min(ds.itemCount, negatives), cfg.dim))
    }

    func timeRetrieval(_ dir: String) throws {
        let E = try Npy.read(path: dir + "/items.npy"), U = try Npy.read(path: dir + "/interests_U.npy")
        guard E.shape.count == 2, U.shape.count == 3, U.shape[2] == E.shape[1] else {
            throw TrainingError.badOption("\(dir): items.npy must be (n+1)×d and interests_U.npy users×K×d")
        }
        let users = U.shape[0], K = U.shape[1], d = U.shape[2], n = E.shape[0] - 1
        var best = Double.infinity
        var checksum: Int64 = 0
        for _ in 0..<max(1, repeats) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let tops = U.values.withUnsafeBufferPointer { u in E.values.withUnsafeBufferPointer { e in
                Retrieval.topN(U: u.baseAddress!, users: users, K: K, d: d, E: e.baseAddress!, items: n, N: 50) } }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            checksum = tops.reduce(0) { $0 + Int64($1.first ?? 0) }
        }
        print("{\"impl\":\"re4\",\"users\":\(users),\"K\":\(K),\"items\":\(n),\"seconds\":\(best),\"users_per_s\":\(Double(users) / best),\"checksum\":\(checksum)}")
    }
}
